-- +goose Up
-- A customer's new email address takes effect when a link mailed to it is
-- opened. Like a reset link, the link's token is issued when its email is
-- sent (email_id names that email); the row holds only the token's hash.
CREATE TABLE email_changes (
    id         bigserial PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    new_email  text NOT NULL,
    token_hash bytea NOT NULL UNIQUE,
    email_id   bigint UNIQUE REFERENCES emails (id) ON DELETE SET NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX email_changes_user_idx ON email_changes (user_id, created_at DESC);

-- +goose Down
DROP TABLE email_changes;
