-- +goose Up
-- The account a session is logged in to, written with the session, so
-- loading a session also loads its user in the same statement (one round
-- trip less on every request of a logged-in user). The session's own data
-- stays the truth: the app uses the joined row only when its id is the one
-- the data names, so a NULL (a session written before this column, or by a
-- writer that did not say) only costs the separate read.
ALTER TABLE sessions ADD COLUMN user_id bigint;

-- +goose Down
ALTER TABLE sessions DROP COLUMN user_id;
