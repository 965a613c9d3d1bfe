-- +goose Up
-- Costly actions per client address (sign-ups, password changes: each runs
-- argon2id), counted over a sliding window to bound them.
CREATE TABLE throttle_events (
    kind text NOT NULL,
    ip   inet NOT NULL,
    at   timestamptz NOT NULL
);
CREATE INDEX throttle_events_key_idx ON throttle_events (kind, ip, at);
CREATE INDEX throttle_events_at_idx ON throttle_events (at);

-- +goose Down
DROP TABLE throttle_events;
