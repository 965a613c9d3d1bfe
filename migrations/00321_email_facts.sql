-- +goose Up
-- A booking's confirmation and its staff notices are stored as what they are
-- written from (mail.EncodeFacts: the booking as confirmed, the recipient)
-- and rendered by the mailer as it sends them; their text_body, html_body
-- and attachments stay empty. Every other kind is stored rendered (facts
-- NULL).
ALTER TABLE emails ADD COLUMN facts jsonb;

-- +goose Down
-- Going back, an email stored as facts would have nothing to send: refused
-- while one is still to go out.
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM emails WHERE facts IS NOT NULL AND status IN ('queued', 'not_sent')) THEN
        RAISE EXCEPTION 'emails stored as facts are still to be sent';
    END IF;
END
$$;
-- +goose StatementEnd
ALTER TABLE emails DROP COLUMN facts;
