-- +goose Up
-- btree_gist lets one GiST index compare unit ids with = and ranges with &&,
-- which the exclusion constraint on unit allocations needs.
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- A booking: one customer, one location, one or more lines. Carts live in the
-- session; a booking row starts as a hold (expires) or is confirmed at once.
CREATE TABLE bookings (
    id               bigserial PRIMARY KEY,
    -- What people quote on the phone and what emails show.
    number           text GENERATED ALWAYS AS ('R' || lpad(id::text, 6, '0')) STORED UNIQUE,
    customer_id      bigint NOT NULL REFERENCES users (id),
    location_id      bigint NOT NULL REFERENCES locations (id),
    status           text NOT NULL CHECK (status IN
                         ('cart', 'hold', 'confirmed', 'out', 'returned', 'closed', 'cancelled', 'expired')),
    -- A hold stops blocking stock at this instant (see the hold expiry step).
    expires_at       timestamptz,
    currency         char(3) NOT NULL,
    -- Money in integer minor units of currency.
    subtotal         bigint NOT NULL DEFAULT 0,
    tax              bigint NOT NULL DEFAULT 0,
    total            bigint NOT NULL DEFAULT 0,
    deposit          bigint NOT NULL DEFAULT 0,
    paid             bigint NOT NULL DEFAULT 0,
    -- A form token: the same checkout submitted twice makes one booking.
    idempotency_key  text UNIQUE,
    created_by       bigint REFERENCES users (id),
    confirmed_at     timestamptz,
    cancelled_at     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (status <> 'hold' OR expires_at IS NOT NULL)
);
CREATE INDEX bookings_customer_idx ON bookings (customer_id, id DESC);
CREATE INDEX bookings_hold_expiry_idx ON bookings (expires_at) WHERE status = 'hold';
CREATE INDEX bookings_status_idx ON bookings (status, id);

-- One item, a quantity and a half-open period [starts_at, ends_at).
CREATE TABLE booking_lines (
    id              bigserial PRIMARY KEY,
    booking_id      bigint NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    item_id         bigint NOT NULL REFERENCES items (id),
    quantity        integer NOT NULL CHECK (quantity > 0),
    starts_at       timestamptz NOT NULL,
    ends_at         timestamptz NOT NULL,
    picked_up_at    timestamptz,
    returned_at     timestamptz,
    -- Price of one unit for the period, and of the whole line, in minor units.
    unit_price      bigint NOT NULL DEFAULT 0,
    line_total      bigint NOT NULL DEFAULT 0,
    -- The priced breakdown (tiers used, minimum duration), shown on every page.
    price_breakdown jsonb NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at)
);
CREATE INDEX booking_lines_booking_idx ON booking_lines (booking_id, id);
CREATE INDEX booking_lines_item_idx ON booking_lines (item_id, starts_at);

-- A unit out of service for a period, with a reason.
CREATE TABLE maintenance_blocks (
    id          bigserial PRIMARY KEY,
    unit_id     bigint NOT NULL REFERENCES units (id),
    starts_at   timestamptz NOT NULL,
    -- NULL: until further notice (a unit set to maintenance or retired).
    ends_at     timestamptz,
    reason      text NOT NULL,
    created_by  bigint REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    ended_at    timestamptz,
    CHECK (ends_at IS NULL OR ends_at > starts_at)
);
CREATE INDEX maintenance_blocks_unit_idx ON maintenance_blocks (unit_id, starts_at);

-- Which unit a booking line or a maintenance block occupies, and when. The
-- range is the booking period widened by the item's turnaround buffers. The
-- exclusion constraint is the last word on overbooking: two active rows for the
-- same unit can never overlap, whatever code path wrote them.
CREATE TABLE unit_allocations (
    id              bigserial PRIMARY KEY,
    unit_id         bigint NOT NULL REFERENCES units (id),
    booking_line_id bigint REFERENCES booking_lines (id) ON DELETE CASCADE,
    maintenance_id  bigint REFERENCES maintenance_blocks (id) ON DELETE CASCADE,
    occupied        tstzrange NOT NULL,
    active          boolean NOT NULL DEFAULT true,
    -- Check-out and check-in of this very unit (a line may hold several units).
    picked_up_at    timestamptz,
    returned_at     timestamptz,
    -- The end of the range as booked. An open check-out past it is overdue,
    -- and occupied is stretched beyond it (ExtendOverdue) until check-in.
    due_at          timestamptz,
    -- Copied from the booking while it is a hold, so availability can treat an
    -- expired hold as free without a join; NULL once confirmed.
    hold_expires_at timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((booking_line_id IS NULL) <> (maintenance_id IS NULL)),
    CONSTRAINT unit_allocations_no_overlap
        EXCLUDE USING gist (unit_id WITH =, occupied WITH &&) WHERE (active)
);
CREATE INDEX unit_allocations_line_idx ON unit_allocations (booking_line_id) WHERE booking_line_id IS NOT NULL;
CREATE INDEX unit_allocations_maintenance_idx ON unit_allocations (maintenance_id) WHERE maintenance_id IS NOT NULL;
-- Open check-outs: they keep their unit until checked in.
CREATE INDEX unit_allocations_open_idx ON unit_allocations (unit_id)
    WHERE active AND picked_up_at IS NOT NULL AND returned_at IS NULL;

-- Whether an allocation keeps its unit from being used in window win at the
-- instant at: an expired hold does not; an open check-out past its end keeps
-- the unit from its start onwards, until it is checked in.
-- +goose StatementBegin
CREATE FUNCTION allocation_blocks(occupied tstzrange, due_at timestamptz, picked_up_at timestamptz,
                                  returned_at timestamptz, hold_expires_at timestamptz, win tstzrange, at timestamptz)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT (hold_expires_at IS NULL OR hold_expires_at > at)
       AND (occupied && win
            OR (picked_up_at IS NOT NULL AND returned_at IS NULL AND due_at <= at
                AND tstzrange(lower(occupied), NULL) && win))
$$;
-- +goose StatementEnd

-- The most pieces of a bulk item in use at one instant of win at a location:
-- the peak of concurrent use, not the sum of lines that touch win. Use only
-- rises where a line's occupied range starts, so the peak is found at the
-- start of win or at one of those starts. Lines of live bookings count with
-- their turnaround buffers; a line picked up and not returned past its end
-- counts for ever; a returned line counts until its return plus the buffer.
-- +goose StatementBegin
CREATE FUNCTION bulk_peak(p_item bigint, p_location bigint, win tstzrange, at timestamptz, exclude_line bigint)
RETURNS integer LANGUAGE sql STABLE AS $$
    WITH occ AS (
        SELECT l.quantity,
               l.starts_at - make_interval(mins => i.buffer_before_minutes) AS lo,
               CASE WHEN l.returned_at IS NOT NULL
                        THEN l.returned_at + make_interval(mins => i.buffer_after_minutes)
                    WHEN l.picked_up_at IS NOT NULL AND l.ends_at + make_interval(mins => i.buffer_after_minutes) <= at
                        THEN NULL
                    ELSE l.ends_at + make_interval(mins => i.buffer_after_minutes)
               END AS hi
        FROM booking_lines l
        JOIN bookings b ON b.id = l.booking_id
        JOIN items i ON i.id = l.item_id
        WHERE l.item_id = p_item AND b.location_id = p_location AND l.id <> exclude_line
          AND (b.status IN ('confirmed', 'out', 'returned') OR (b.status = 'hold' AND b.expires_at > at))
    ), hit AS (
        SELECT quantity, tstzrange(lo, CASE WHEN hi IS NULL THEN NULL ELSE greatest(lo, hi) END) AS r
        FROM occ
    ), inwin AS (
        SELECT quantity, r FROM hit WHERE r && win
    )
    SELECT coalesce(max((SELECT sum(h.quantity) FROM inwin h WHERE h.r @> p.t)), 0)::integer
    FROM (SELECT lower(win) AS t UNION SELECT lower(r) FROM inwin WHERE lower(r) > lower(win)) p
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION bulk_peak;
DROP FUNCTION allocation_blocks;
DROP TABLE unit_allocations, maintenance_blocks, booking_lines, bookings;
