-- +goose Up
-- No query reads invoices by their issue instant: the lists go by id, by
-- issue date (invoices_issue_date_idx), by booking or by customer. The index
-- cost most where it hurt: a confirmation's invoice is numbered at commit
-- (00210) by an update that writes a new entry in every index of invoices
-- while the series' counter row, which every confirmation of the shop takes,
-- stays locked.
DROP INDEX invoices_issued_idx;

-- +goose Down
CREATE INDEX invoices_issued_idx ON invoices (issued_at, id);
