-- +goose Up
-- Every app instance keeps the list of entity types in the audit log (the
-- audit page's filter menu) with the reference data. Entries are only ever
-- added, so the list changes only when a type gets its first entry: an
-- insert whose rows bring a type with no earlier entry announces it on
-- rentdesk_refdata (payload audit_log), at commit like the other
-- notifications. Two first entries of a type written at once may both
-- announce it; an entry of a type already listed announces nothing.
-- +goose StatementBegin
CREATE FUNCTION audit_types_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM (SELECT DISTINCT entity_type FROM new_rows) n
               WHERE NOT EXISTS (SELECT 1 FROM audit_log a
                                 WHERE a.entity_type = n.entity_type
                                   AND a.id < (SELECT min(id) FROM new_rows))) THEN
        PERFORM pg_notify('rentdesk_refdata', TG_TABLE_NAME);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER audit_log_types_notify AFTER INSERT ON audit_log
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_types_notify();

-- +goose Down
DROP TRIGGER audit_log_types_notify ON audit_log;
DROP FUNCTION audit_types_notify;
