-- +goose Up
-- The invoice list of a period (an accountant's month a year back) walked
-- the invoices newest first from the latest one, through every invoice
-- issued since: a read that grew with the shop's history. Each issue date's
-- latest invoice, read from here, bounds where that walk starts.
CREATE INDEX invoices_issue_date_idx ON invoices (issue_date, id);

-- +goose Down
DROP INDEX invoices_issue_date_idx;
