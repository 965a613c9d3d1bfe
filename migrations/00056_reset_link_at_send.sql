-- +goose Up
-- A reset link is written into its email only when the email is sent: the
-- stored body holds a placeholder, and the reset row names its email so the
-- sender can issue the token then. A copy of the database holds no live link.
ALTER TABLE password_resets ADD COLUMN email_id bigint UNIQUE REFERENCES emails (id) ON DELETE SET NULL;

-- +goose Down
ALTER TABLE password_resets DROP COLUMN email_id;
