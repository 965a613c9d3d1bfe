-- +goose Up
-- A confirmation's invoice is numbered when its transaction commits. The
-- number's counter row, locked from the moment it is taken until the
-- transaction ends, made every confirmation of the shop wait for the one
-- before it to send its COMMIT: a round trip to the app and back, on a busy
-- machine most of the lock's time. A document may now be inserted without
-- its number (year, seq, number, issued_at and issue_date all empty); a
-- deferred trigger takes the number at commit, inside the same transaction,
-- so the lock is held only for the commit itself, and a rollback still
-- takes nothing (the numbers stay gapless). No transaction can commit a
-- document without its number.
ALTER TABLE invoices
    ALTER COLUMN year DROP NOT NULL,
    ALTER COLUMN seq DROP NOT NULL,
    ALTER COLUMN number DROP NOT NULL,
    ALTER COLUMN issued_at DROP NOT NULL,
    ALTER COLUMN issue_date DROP NOT NULL,
    ADD CONSTRAINT invoices_numbered_check CHECK (num_nulls(year, seq, number, issued_at, issue_date) IN (0, 5));

-- The number as store.IssueInvoice takes it: the year in the document's
-- zone, the counter's next number, the issue instant the clock's once the
-- counter is locked, the issue date its date in the zone (kept in the
-- number's year should the clock have passed midnight of New Year's Eve
-- while it waited).
-- +goose StatementBegin
CREATE FUNCTION invoice_number_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    y  integer := extract(year FROM clock_timestamp() AT TIME ZONE NEW.time_zone)::integer;
    n  integer;
    at timestamptz;
BEGIN
    INSERT INTO invoice_counters (series, year, last_number) VALUES (NEW.series, y, 1)
    ON CONFLICT (series, year) DO UPDATE SET last_number = invoice_counters.last_number + 1
    RETURNING last_number, clock_timestamp() INTO n, at;
    UPDATE invoices
    SET year = y, seq = n,
        number = NEW.series || '-' || y || '-' || CASE WHEN n < 100000 THEN lpad(n::text, 5, '0') ELSE n::text END,
        issued_at = at,
        issue_date = CASE WHEN extract(year FROM at AT TIME ZONE NEW.time_zone) = y
                          THEN (at AT TIME ZONE NEW.time_zone)::date ELSE make_date(y, 12, 31) END
    WHERE id = NEW.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE CONSTRAINT TRIGGER invoices_number_at_commit AFTER INSERT ON invoices
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.number IS NULL) EXECUTE FUNCTION invoice_number_at_commit();

-- Issued documents stay immutable. The one change let through is the
-- numbering above, made by the trigger (never by a statement of a client)
-- to a document without a number, touching nothing but its number's
-- columns.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION refuse_invoice_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'invoices' AND pg_trigger_depth() > 1 THEN
        IF OLD.number IS NULL AND NEW.number IS NOT NULL
           AND to_jsonb(NEW) - '{year,seq,number,issued_at,issue_date}'::text[]
             = to_jsonb(OLD) - '{year,seq,number,issued_at,issue_date}'::text[] THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'issued invoices cannot be changed (% on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER invoices_number_at_commit ON invoices;
DROP FUNCTION invoice_number_at_commit();
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION refuse_invoice_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'issued invoices cannot be changed (% on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END
$$;
-- +goose StatementEnd
ALTER TABLE invoices
    DROP CONSTRAINT invoices_numbered_check,
    ALTER COLUMN year SET NOT NULL,
    ALTER COLUMN seq SET NOT NULL,
    ALTER COLUMN number SET NOT NULL,
    ALTER COLUMN issued_at SET NOT NULL,
    ALTER COLUMN issue_date SET NOT NULL;
