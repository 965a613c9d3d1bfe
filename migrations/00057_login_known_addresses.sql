-- +goose Up
-- Addresses an account logged in from. Failed logins from elsewhere cannot
-- lock the owner out from one of these: they are slowed there, not refused.
CREATE TABLE login_known_addresses (
    email         text NOT NULL,
    ip            inet NOT NULL,
    last_login_at timestamptz NOT NULL,
    PRIMARY KEY (email, ip)
);
CREATE INDEX login_known_addresses_last_idx ON login_known_addresses (last_login_at);
CREATE INDEX login_failures_failed_at_idx ON login_failures (failed_at);

-- +goose Down
DROP INDEX login_failures_failed_at_idx;
DROP TABLE login_known_addresses;
