-- +goose Up
-- Sessions are found by a SHA-256 hash of their token; the token itself is
-- never stored. Sessions stored under the clear token cannot be found that
-- way, so they end here (everyone logs in once more).
DELETE FROM sessions;
ALTER TABLE sessions DROP CONSTRAINT sessions_pkey;
ALTER TABLE sessions DROP COLUMN token;
ALTER TABLE sessions ADD COLUMN token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32);

-- +goose Down
DELETE FROM sessions;
ALTER TABLE sessions DROP COLUMN token_hash;
ALTER TABLE sessions ADD COLUMN token text PRIMARY KEY;
