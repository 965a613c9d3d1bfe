-- +goose Up
-- The overdue notices of a booking are counted by their dedupe keys'
-- prefix ("overdue:<booking>:"). The unique index on dedupe_key follows the
-- database's collation, which a LIKE prefix cannot use, so each count read
-- every email ever written; this index answers it from the prefix's range.
CREATE INDEX emails_dedupe_key_prefix_idx ON emails (dedupe_key text_pattern_ops);

-- +goose Down
DROP INDEX emails_dedupe_key_prefix_idx;
