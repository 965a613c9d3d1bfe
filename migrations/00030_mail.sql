-- +goose Up

-- Every email the app writes, whether or not it could be sent: the admin mail
-- queue shows this history, and the sending job reads the message from here, so
-- a retry sends exactly the same message (same Message-ID) as the first try.
CREATE TABLE emails (
    id          bigserial PRIMARY KEY,
    kind        text NOT NULL,
    user_id     bigint REFERENCES users (id) ON DELETE SET NULL,
    to_address  text NOT NULL,
    to_name     text NOT NULL DEFAULT '',
    subject     text NOT NULL,
    text_body   text NOT NULL,
    html_body   text NOT NULL,
    -- [{"name": "booking.ics", "content_type": "text/calendar", "data": "<base64>"}]
    attachments jsonb NOT NULL DEFAULT '[]',
    -- The event an email belongs to ("welcome:42", "booking-confirmed:7"); unique, so
    -- enqueueing the same event twice writes one email.
    dedupe_key  text UNIQUE,
    message_id  text NOT NULL DEFAULT '',
    status      text NOT NULL DEFAULT 'queued'
                CHECK (status IN ('queued', 'sent', 'failed', 'not_sent')),
    attempts    integer NOT NULL DEFAULT 0,
    last_error  text NOT NULL DEFAULT '',
    job_id      bigint,
    created_at  timestamptz NOT NULL DEFAULT now(),
    sent_at     timestamptz,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX emails_status_idx ON emails (status, id DESC);
CREATE INDEX emails_job_idx ON emails (job_id);
CREATE INDEX emails_user_idx ON emails (user_id, id DESC);

-- Password reset links. Only a hash of the token is kept, so a copy of the
-- database cannot be used to take over accounts; used_at makes a link single-use.
CREATE TABLE password_resets (
    id         bigserial PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash bytea NOT NULL UNIQUE,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX password_resets_user_idx ON password_resets (user_id, created_at DESC);
CREATE INDEX password_resets_expires_idx ON password_resets (expires_at);

-- Per-user switches for mail that is not needed to do business (reminders and
-- news). A missing row means the defaults: everything on.
CREATE TABLE mail_preferences (
    user_id    bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    reminders  boolean NOT NULL DEFAULT true,
    news       boolean NOT NULL DEFAULT true,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Dead jobs admins were already told about, so each is reported once.
CREATE TABLE dead_job_notices (
    job_id      bigint PRIMARY KEY,
    notified_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE dead_job_notices, mail_preferences, password_resets, emails;
