-- +goose Up
-- A tag typed at the desk is looked up ignoring letter case
-- (store.GetBookingUnitByTag: lower(asset_tag) = lower($1)); the unique
-- index on asset_tag cannot answer that, this one does, so a scan reads a
-- few index pages instead of every unit.
CREATE INDEX units_asset_tag_lower_idx ON units (lower(asset_tag));

-- +goose Down
DROP INDEX units_asset_tag_lower_idx;
