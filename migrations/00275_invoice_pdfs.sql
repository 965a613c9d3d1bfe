-- +goose Up
-- The PDF of an issued invoice or credit note, kept from its first download:
-- the document never changes once issued, so neither does its PDF, and every
-- later download sends these bytes instead of laying the document out again.
-- The bytes are already compressed (PDF streams, font subsets), so
-- PostgreSQL stores them out of line without trying to compress them again.
CREATE TABLE invoice_pdfs (
    invoice_id bigint PRIMARY KEY REFERENCES invoices (id),
    pdf        bytea NOT NULL,
    stored_at  timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE invoice_pdfs ALTER COLUMN pdf SET STORAGE EXTERNAL;

-- Kept as issued, like the document itself.
CREATE TRIGGER invoice_pdfs_immutable BEFORE UPDATE OR DELETE ON invoice_pdfs
    FOR EACH ROW EXECUTE FUNCTION refuse_invoice_change();
CREATE TRIGGER invoice_pdfs_no_truncate BEFORE TRUNCATE ON invoice_pdfs
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_invoice_change();

-- +goose Down
DROP TABLE invoice_pdfs;
