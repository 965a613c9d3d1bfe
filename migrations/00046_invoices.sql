-- +goose Up
-- Invoice numbers are counted per series (the prefix) and year without gaps.
-- The next number is taken by upserting the counter row inside the issuing
-- transaction: the row lock makes concurrent issuers wait their turn, and a
-- rollback gives the number back (a sequence would leave a gap).
CREATE TABLE invoice_counters (
    series      text NOT NULL,
    year        integer NOT NULL,
    last_number integer NOT NULL CHECK (last_number > 0),
    PRIMARY KEY (series, year)
);

-- An issued invoice or credit note: a snapshot of who sold what to whom,
-- never changed afterwards (see the triggers below). Credit notes carry
-- negative amounts and name the invoice they credit.
CREATE TABLE invoices (
    id                  bigserial PRIMARY KEY,
    kind                text NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    series              text NOT NULL,
    year                integer NOT NULL,
    seq                 integer NOT NULL CHECK (seq > 0),
    number              text NOT NULL UNIQUE,
    booking_id          bigint NOT NULL REFERENCES bookings (id),
    booking_number      text NOT NULL,
    credits_id          bigint REFERENCES invoices (id),
    customer_id         bigint NOT NULL REFERENCES users (id),
    buyer_name          text NOT NULL,
    buyer_email         text NOT NULL,
    issued_at           timestamptz NOT NULL,
    -- The date printed on the document, in the shop's invoice time zone.
    issue_date          date NOT NULL,
    time_zone           text NOT NULL,
    currency            char(3) NOT NULL,
    tax_mode            text NOT NULL CHECK (tax_mode IN ('inclusive', 'exclusive')),
    seller_name         text NOT NULL,
    seller_address      text NOT NULL,
    seller_vat_id       text NOT NULL,
    seller_registration text NOT NULL,
    seller_email        text NOT NULL,
    seller_phone        text NOT NULL,
    seller_bank         text NOT NULL,
    note                text NOT NULL,
    reason              text NOT NULL DEFAULT '',
    net                 bigint NOT NULL,
    tax                 bigint NOT NULL,
    total               bigint NOT NULL,
    UNIQUE (series, year, seq),
    CHECK ((kind = 'credit_note') = (credits_id IS NOT NULL)),
    CHECK (net + tax = total)
);
CREATE INDEX invoices_booking_idx ON invoices (booking_id, id);
CREATE INDEX invoices_customer_idx ON invoices (customer_id, id DESC);
CREATE INDEX invoices_issued_idx ON invoices (issued_at, id);

-- The lines of an invoice. unit_price is as the shop's rates are stated
-- (gross when prices include tax, net otherwise); net + tax = total.
CREATE TABLE invoice_lines (
    invoice_id  bigint NOT NULL REFERENCES invoices (id),
    position    integer NOT NULL,
    description text NOT NULL,
    quantity    integer NOT NULL,
    unit_price  bigint NOT NULL,
    tax_rate_bp integer NOT NULL CHECK (tax_rate_bp BETWEEN 0 AND 10000),
    net         bigint NOT NULL,
    tax         bigint NOT NULL,
    total       bigint NOT NULL,
    PRIMARY KEY (invoice_id, position),
    CHECK (net + tax = total)
);

-- Issued documents are immutable: whatever code path or console session
-- tries, PostgreSQL refuses to change or remove them. A mistake is corrected
-- with a credit note, as the law asks.
-- +goose StatementBegin
CREATE FUNCTION refuse_invoice_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'issued invoices cannot be changed (% on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER invoices_immutable BEFORE UPDATE OR DELETE ON invoices
    FOR EACH ROW EXECUTE FUNCTION refuse_invoice_change();
CREATE TRIGGER invoices_no_truncate BEFORE TRUNCATE ON invoices
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_invoice_change();
CREATE TRIGGER invoice_lines_immutable BEFORE UPDATE OR DELETE ON invoice_lines
    FOR EACH ROW EXECUTE FUNCTION refuse_invoice_change();
CREATE TRIGGER invoice_lines_no_truncate BEFORE TRUNCATE ON invoice_lines
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_invoice_change();

-- +goose Down
DROP TABLE invoice_lines, invoices, invoice_counters;
DROP FUNCTION refuse_invoice_change;
