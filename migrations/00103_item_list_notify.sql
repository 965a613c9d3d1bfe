-- +goose Up
-- Every app instance also keeps pages of the public item list in memory
-- (the catalog, a category's items, the featured items), and for the item
-- pages the public items by slug and each item's photo list. A page shows the
-- items' own columns with their category, their unit counts by status
-- (units not retired, units available), their bulk quantity and their first
-- photo, so a committed change to any of these announces itself on the
-- same channel as the reference data (refdata_notify of migration 00101),
-- and every instance drops its pages. Bookings, check-outs and returns write
-- none of these tables: availability is never kept in memory.

-- Any item edit: the name, description and rates are on the card.
CREATE TRIGGER items_list_notify AFTER UPDATE ON items
    FOR EACH STATEMENT EXECUTE FUNCTION refdata_notify();

-- Units count by status and item only: a move to another location or a new
-- serial number or note changes no count.
CREATE TRIGGER units_insert_list_notify AFTER INSERT OR DELETE OR TRUNCATE ON units
    FOR EACH STATEMENT EXECUTE FUNCTION refdata_notify();
CREATE TRIGGER units_update_list_notify AFTER UPDATE ON units
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.item_id IS DISTINCT FROM NEW.item_id)
    EXECUTE FUNCTION refdata_notify();

CREATE TRIGGER bulk_stock_list_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON bulk_stock
    FOR EACH STATEMENT EXECUTE FUNCTION refdata_notify();

-- The first photo is the one of the lowest position, and the item page lists
-- the photos in that order: a photo added, removed or moved changes them.
-- Nothing changes a photo's bytes or type in place.
CREATE TRIGGER item_photos_insert_list_notify AFTER INSERT OR DELETE OR TRUNCATE ON item_photos
    FOR EACH STATEMENT EXECUTE FUNCTION refdata_notify();
CREATE TRIGGER item_photos_update_list_notify AFTER UPDATE ON item_photos
    FOR EACH ROW WHEN (OLD.position IS DISTINCT FROM NEW.position OR OLD.item_id IS DISTINCT FROM NEW.item_id)
    EXECUTE FUNCTION refdata_notify();

-- +goose Down
DROP TRIGGER item_photos_update_list_notify ON item_photos;
DROP TRIGGER item_photos_insert_list_notify ON item_photos;
DROP TRIGGER bulk_stock_list_notify ON bulk_stock;
DROP TRIGGER units_update_list_notify ON units;
DROP TRIGGER units_insert_list_notify ON units;
DROP TRIGGER items_list_notify ON items;
