-- +goose Up
CREATE EXTENSION IF NOT EXISTS citext;

CREATE TABLE users (
    id              bigserial PRIMARY KEY,
    email           citext NOT NULL UNIQUE,
    name            text NOT NULL,
    phone           text NOT NULL DEFAULT '',
    role            text NOT NULL DEFAULT 'customer' CHECK (role IN ('customer', 'staff', 'admin')),
    password_hash   text NOT NULL,
    -- Bumped to log a user out everywhere (password change, role change, disabling):
    -- each session remembers the epoch it was created under.
    session_epoch   integer NOT NULL DEFAULT 0,
    disabled_at     timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_role_idx ON users (role, id);

-- The table alexedwards/scs postgresstore expects.
CREATE TABLE sessions (
    token  text PRIMARY KEY,
    data   bytea NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- Failed logins, counted per account and per IP address to throttle guessing.
-- Kept in the database so every app instance sees the same counts.
CREATE TABLE login_failures (
    id        bigserial PRIMARY KEY,
    email     citext NOT NULL,
    ip        inet,
    failed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_email_idx ON login_failures (email, failed_at);
CREATE INDEX login_failures_ip_idx ON login_failures (ip, failed_at);

-- Every staff and admin change, written in the transaction of the change.
CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor_id    bigint REFERENCES users (id),
    action      text NOT NULL,
    entity_type text NOT NULL,
    entity_id   text NOT NULL DEFAULT '',
    before      jsonb,
    after       jsonb,
    request_id  text NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id, id DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, id DESC);

-- Shop-wide settings: exactly one row.
CREATE TABLE shop_settings (
    id                        boolean PRIMARY KEY DEFAULT true CHECK (id),
    shop_name                 text NOT NULL DEFAULT 'Rentdesk',
    currency                  char(3) NOT NULL DEFAULT 'EUR',
    tax_mode                  text NOT NULL DEFAULT 'inclusive' CHECK (tax_mode IN ('inclusive', 'exclusive')),
    tax_rate_bp               integer NOT NULL DEFAULT 0 CHECK (tax_rate_bp BETWEEN 0 AND 10000),
    hold_minutes              integer NOT NULL DEFAULT 30 CHECK (hold_minutes > 0),
    free_cancellation_hours   integer NOT NULL DEFAULT 48 CHECK (free_cancellation_hours >= 0),
    payment_mode              text NOT NULL DEFAULT 'pay_at_pickup' CHECK (payment_mode IN ('pay_at_pickup', 'online_full', 'online_deposit')),
    updated_at                timestamptz NOT NULL DEFAULT now()
);
INSERT INTO shop_settings DEFAULT VALUES;

-- +goose Down
DROP TABLE shop_settings, audit_log, login_failures, sessions, users;
