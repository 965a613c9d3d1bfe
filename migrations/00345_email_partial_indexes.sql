-- +goose Up
-- Two of the emails' indexes answer questions only a few rows are asked:
-- an email's send job (job_id = …; the row is written before its job, and
-- mail kept unsent never has one) and the overdue notices of a booking,
-- counted by their dedupe keys' prefix ("overdue:<booking>:"). Each took an
-- entry for every email written, the confirmation and staff notices of
-- every booking included; kept partial, they take only the rows they can
-- answer, so writing a booking's mail touches four indexes instead of six.
DROP INDEX emails_job_idx;
CREATE INDEX emails_job_idx ON emails (job_id) WHERE job_id IS NOT NULL;
DROP INDEX emails_dedupe_key_prefix_idx;
CREATE INDEX emails_dedupe_key_prefix_idx ON emails (dedupe_key text_pattern_ops)
    WHERE dedupe_key LIKE 'overdue:%';

-- +goose Down
DROP INDEX emails_dedupe_key_prefix_idx;
CREATE INDEX emails_dedupe_key_prefix_idx ON emails (dedupe_key text_pattern_ops);
DROP INDEX emails_job_idx;
CREATE INDEX emails_job_idx ON emails (job_id);
