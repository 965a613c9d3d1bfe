-- +goose Up
-- The money of a booking, as a ledger: charges on top of the rental (security
-- deposit, late fee, damage), payments and refunds. The rental itself is the
-- booking's total, which extending or shortening keeps current, so it is not
-- copied here. All amounts are integer minor units of the booking's currency.
CREATE TABLE ledger_entries (
    id           bigserial PRIMARY KEY,
    booking_id   bigint NOT NULL REFERENCES bookings (id),
    kind         text NOT NULL CHECK (kind IN ('charge', 'payment', 'refund')),
    -- What a charge is for; a negative deposit charge releases a held deposit.
    charge_type  text CHECK (charge_type IN ('deposit', 'late_fee', 'damage')),
    -- How a payment or refund moved.
    method       text CHECK (method IN ('stripe', 'cash', 'card_terminal')),
    amount       bigint NOT NULL CHECK (amount <> 0),
    currency     char(3) NOT NULL,
    -- The receipt or terminal slip number; for Stripe payments the payment intent.
    reference    text NOT NULL DEFAULT '',
    note         text NOT NULL DEFAULT '',
    -- Stripe's id of the thing recorded (checkout session of a payment, refund
    -- of a refund): unique, so no Stripe payment is ever recorded twice.
    stripe_id    text UNIQUE,
    -- The payment a refund gives back.
    refund_of    bigint REFERENCES ledger_entries (id),
    -- A Stripe refund is pending from the moment we ask until Stripe answers;
    -- a failed one no longer counts.
    status       text NOT NULL DEFAULT 'done' CHECK (status IN ('pending', 'done', 'failed')),
    recorded_by  bigint REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'charge') = (charge_type IS NOT NULL)),
    CHECK ((kind = 'charge') = (method IS NULL)),
    CHECK (kind = 'charge' OR amount > 0),
    CHECK (refund_of IS NULL OR kind = 'refund')
);
CREATE INDEX ledger_entries_booking_idx ON ledger_entries (booking_id, id);

-- Every Stripe Checkout Session made for a booking.
CREATE TABLE checkout_sessions (
    id          text PRIMARY KEY,
    booking_id  bigint NOT NULL REFERENCES bookings (id),
    amount      bigint NOT NULL CHECK (amount > 0),
    currency    char(3) NOT NULL,
    url         text NOT NULL,
    status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'complete', 'expired', 'failed')),
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX checkout_sessions_booking_idx ON checkout_sessions (booking_id, created_at DESC);

-- Every Stripe webhook event handled, once: a delivery whose id is here is a
-- duplicate and changes nothing.
CREATE TABLE stripe_events (
    id           text PRIMARY KEY,
    type         text NOT NULL,
    booking_id   bigint REFERENCES bookings (id),
    received_at  timestamptz NOT NULL DEFAULT now()
);
