-- +goose Up
-- Every app instance keeps the shop settings, the locations and the category
-- list (with its item counts) in memory. A committed change to them is
-- announced on the channel rentdesk_refdata, so every instance listening
-- drops its copy; the payload names the table. NOTIFY is delivered at commit
-- and only then, and PostgreSQL folds identical notifications of one
-- transaction into one.
-- +goose StatementBegin
CREATE FUNCTION refdata_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('rentdesk_refdata', TG_TABLE_NAME);
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER shop_settings_refdata_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON shop_settings
    FOR EACH STATEMENT EXECUTE FUNCTION refdata_notify();
CREATE TRIGGER locations_refdata_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON locations
    FOR EACH STATEMENT EXECUTE FUNCTION refdata_notify();
CREATE TRIGGER categories_refdata_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON categories
    FOR EACH STATEMENT EXECUTE FUNCTION refdata_notify();

-- The category lists count items per category (active ones; active and
-- bookable online ones): a new or removed item changes a count, an update
-- only when it moves the item, archives or restores it, or takes it on or
-- off line. Other item edits (rates, names, descriptions) do not notify.
CREATE TRIGGER items_insert_refdata_notify AFTER INSERT OR DELETE OR TRUNCATE ON items
    FOR EACH STATEMENT EXECUTE FUNCTION refdata_notify();
CREATE TRIGGER items_update_refdata_notify AFTER UPDATE ON items
    FOR EACH ROW WHEN (OLD.category_id IS DISTINCT FROM NEW.category_id
                       OR (OLD.archived_at IS NULL) <> (NEW.archived_at IS NULL)
                       OR OLD.online_bookable IS DISTINCT FROM NEW.online_bookable)
    EXECUTE FUNCTION refdata_notify();

-- +goose Down
DROP TRIGGER items_update_refdata_notify ON items;
DROP TRIGGER items_insert_refdata_notify ON items;
DROP TRIGGER categories_refdata_notify ON categories;
DROP TRIGGER locations_refdata_notify ON locations;
DROP TRIGGER shop_settings_refdata_notify ON shop_settings;
DROP FUNCTION refdata_notify;
