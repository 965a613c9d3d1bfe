-- +goose Up
-- A money form at the desk (a payment, a deposit taken or returned) carries a
-- token made when the page was shown. The token is claimed in the same
-- transaction as the ledger entry it records, so the same form sent twice (a
-- double click, a resent request, the back button) records once: the second
-- claim waits for the first to commit, then finds the token taken.
CREATE TABLE desk_form_submissions (
    token        text PRIMARY KEY CHECK (length(token) BETWEEN 16 AND 200),
    booking_id   bigint NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    submitted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX desk_form_submissions_booking_idx ON desk_form_submissions (booking_id);

-- +goose Down
DROP TABLE desk_form_submissions;
