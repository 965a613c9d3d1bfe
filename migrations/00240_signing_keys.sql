-- +goose Up
-- Secrets the app signs values with that a browser keeps for it (a visitor's
-- chosen dates live in a signed cookie, not in a session row). Made here, in
-- the database every instance shares, so all instances sign alike; read once
-- per process. Two random UUIDs give 244 random bits (pg_strong_random).
CREATE TABLE signing_keys (
    name       text PRIMARY KEY,
    secret     bytea NOT NULL CHECK (length(secret) >= 32),
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO signing_keys (name, secret)
VALUES ('dates', decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'));

-- +goose Down
DROP TABLE signing_keys;
