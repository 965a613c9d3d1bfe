-- +goose Up
-- A CSV import waiting for confirmation: the uploaded file and its dry-run
-- report are kept, so "apply" needs no second upload and applies exactly
-- what was checked.
CREATE TABLE csv_imports (
    id          bigserial PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('items', 'units')),
    filename    text NOT NULL DEFAULT '',
    content     bytea NOT NULL,
    -- Problems found by the dry run: [{"row":3,"column":"rate_day","message":"..."}].
    report      jsonb NOT NULL DEFAULT '[]',
    row_count   integer NOT NULL DEFAULT 0,
    created_by  bigint REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    applied_at  timestamptz
);

-- Customers search items by name and description; staff by name, slug and tag.
CREATE INDEX items_public_idx ON items (category_id, lower(name), id)
    WHERE archived_at IS NULL AND online_bookable;
CREATE INDEX items_created_idx ON items (created_at DESC, id DESC);
CREATE INDEX categories_position_idx ON categories (position, id);

-- +goose Down
DROP INDEX categories_position_idx, items_created_idx, items_public_idx;
DROP TABLE csv_imports;
