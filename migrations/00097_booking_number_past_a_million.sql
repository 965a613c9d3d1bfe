-- +goose Up
-- Booking numbers past R999999. lpad cuts a longer id down to six digits, so
-- booking 1,000,000 got "R100000" — booking 100,000's number — and the unique
-- rule refused it: the shop would stop taking bookings at its millionth. Below
-- a million the number stays exactly what it was (R000042); from there on it
-- is the id in full (R1000000), which no six-digit number can equal.
--
-- A generated column's expression cannot be altered in place (PostgreSQL 15),
-- so the column is dropped and added again, with its unique rule under the
-- same name. Only that rule depends on the column; a view, index or function
-- added on it later would make the DROP fail here rather than vanish (no
-- CASCADE). Adding a stored column rewrites the table once, under an
-- exclusive lock.
ALTER TABLE bookings DROP COLUMN number;
ALTER TABLE bookings
    ADD COLUMN number text GENERATED ALWAYS AS
        ('R' || CASE WHEN id < 1000000 THEN lpad(id::text, 6, '0') ELSE id::text END) STORED;
ALTER TABLE bookings ADD CONSTRAINT bookings_number_key UNIQUE (number);
COMMENT ON COLUMN bookings.number IS
    'What people quote on the phone and what emails show: R and the id, six digits at least.';

-- +goose Down
-- Back to the six-digit form; fails on the unique rule once a booking past
-- R999999 shares its first six digits with an older one.
ALTER TABLE bookings DROP COLUMN number;
ALTER TABLE bookings
    ADD COLUMN number text GENERATED ALWAYS AS ('R' || lpad(id::text, 6, '0')) STORED;
ALTER TABLE bookings ADD CONSTRAINT bookings_number_key UNIQUE (number);
