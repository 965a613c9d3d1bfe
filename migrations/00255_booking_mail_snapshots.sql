-- +goose Up
-- What a booking's confirmation emails tell, as the confirming transaction
-- read it (customer, location, totals, lines). The confirmation writes one
-- row here and queues a job that carries only its id; the job's worker takes
-- (deletes) the row in the transaction that writes the emails, so a row lives
-- only while its emails are still to be written. Kept out of the job's
-- arguments because the job queue indexes every key and value of those (a
-- GIN index), in each of the three versions a job row goes through.
-- No foreign key to bookings: the row is short-lived, and the check and an
-- index for it would cost the booking's transaction more than the row itself.
CREATE TABLE booking_mail_snapshots (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    booking_id bigint NOT NULL,
    booking    jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE booking_mail_snapshots;
