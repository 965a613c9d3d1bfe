-- +goose Up
CREATE TABLE locations (
    id            bigserial PRIMARY KEY,
    name          text NOT NULL,
    slug          text NOT NULL UNIQUE,
    address       text NOT NULL DEFAULT '',
    -- IANA zone name; every day calculation for this location happens in it.
    time_zone     text NOT NULL,
    -- Opening hours per ISO weekday ("1".."7"): [{"open":"09:00","close":"18:00"}]; absent = closed.
    opening_hours jsonb NOT NULL DEFAULT '{}',
    -- Extra closed days (holidays) as local dates.
    closed_dates  date[] NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE categories (
    id         bigserial PRIMARY KEY,
    name       text NOT NULL,
    slug       text NOT NULL UNIQUE,
    position   integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE items (
    id                      bigserial PRIMARY KEY,
    category_id             bigint REFERENCES categories (id),
    name                    text NOT NULL,
    slug                    text NOT NULL UNIQUE,
    description             text NOT NULL DEFAULT '',
    tracking                text NOT NULL CHECK (tracking IN ('serialized', 'bulk')),
    -- Rates in minor units of the shop currency; NULL means the tier is not offered.
    rate_hour               bigint CHECK (rate_hour >= 0),
    rate_day                bigint CHECK (rate_day >= 0),
    rate_week               bigint CHECK (rate_week >= 0),
    rate_month              bigint CHECK (rate_month >= 0),
    min_duration_minutes    integer NOT NULL DEFAULT 60 CHECK (min_duration_minutes >= 0),
    deposit                 bigint NOT NULL DEFAULT 0 CHECK (deposit >= 0),
    replacement_value       bigint NOT NULL DEFAULT 0 CHECK (replacement_value >= 0),
    buffer_before_minutes   integer NOT NULL DEFAULT 0 CHECK (buffer_before_minutes >= 0),
    buffer_after_minutes    integer NOT NULL DEFAULT 0 CHECK (buffer_after_minutes >= 0),
    tax_category            text NOT NULL DEFAULT 'standard',
    online_bookable         boolean NOT NULL DEFAULT true,
    featured                boolean NOT NULL DEFAULT false,
    archived_at             timestamptz,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX items_category_idx ON items (category_id, name);
CREATE INDEX items_name_idx ON items (lower(name), id);

CREATE TABLE item_photos (
    id           bigserial PRIMARY KEY,
    item_id      bigint NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    position     integer NOT NULL DEFAULT 0,
    content_type text NOT NULL,
    data         bytea NOT NULL,
    thumbnail    bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX item_photos_item_idx ON item_photos (item_id, position);

CREATE TABLE units (
    id              bigserial PRIMARY KEY,
    item_id         bigint NOT NULL REFERENCES items (id),
    location_id     bigint NOT NULL REFERENCES locations (id),
    -- What the barcode label says; the desk scans it.
    asset_tag       text NOT NULL UNIQUE,
    serial_number   text NOT NULL DEFAULT '',
    status          text NOT NULL DEFAULT 'available' CHECK (status IN ('available', 'maintenance', 'retired')),
    condition_notes text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX units_item_idx ON units (item_id, location_id);

-- Stock of a bulk item per location.
CREATE TABLE bulk_stock (
    item_id     bigint NOT NULL REFERENCES items (id),
    location_id bigint NOT NULL REFERENCES locations (id),
    quantity    integer NOT NULL CHECK (quantity >= 0),
    PRIMARY KEY (item_id, location_id)
);

-- +goose Down
DROP TABLE bulk_stock, units, item_photos, items, categories, locations;
