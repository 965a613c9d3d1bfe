-- +goose Up
-- When each account last logged in, for the admin's user page.
ALTER TABLE users ADD COLUMN last_login_at timestamptz;

-- +goose Down
ALTER TABLE users DROP COLUMN last_login_at;
