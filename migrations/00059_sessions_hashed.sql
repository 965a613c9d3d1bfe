-- +goose Up
-- Sessions are now stored under the SHA-256 of their token. Rows written
-- before hold the token itself: they are dropped (everyone logs in once more)
-- so that no live token remains in the database.
DELETE FROM sessions;

-- +goose Down
DELETE FROM sessions;
