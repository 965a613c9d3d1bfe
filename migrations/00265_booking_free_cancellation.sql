-- +goose Up
-- The free-cancellation hours in force when a booking was made: the deadline
-- its customer was shown ("Free cancellation until …") stays theirs when the
-- shop later asks for more notice. Bookings that can still be cancelled get
-- today's hours, the deadline their page shows now; finished ones keep NULL
-- (the current hours, which no longer matter to them).
ALTER TABLE bookings ADD COLUMN free_cancellation_hours integer CHECK (free_cancellation_hours >= 0);
UPDATE bookings SET free_cancellation_hours = (SELECT free_cancellation_hours FROM shop_settings LIMIT 1)
WHERE status IN ('hold', 'confirmed');

-- +goose Down
ALTER TABLE bookings DROP COLUMN free_cancellation_hours;
