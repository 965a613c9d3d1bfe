-- +goose Up
-- Photos staff take of a unit that came back damaged or needing cleaning,
-- kept with its return (checked and thumbnailed like item photos). They are
-- for staff only: the booking's return record shows them.
CREATE TABLE return_photos (
    id              bigserial PRIMARY KEY,
    unit_return_id  bigint NOT NULL REFERENCES unit_returns (id),
    content_type    text NOT NULL,
    data            bytea NOT NULL,
    thumbnail       bytea NOT NULL,
    uploaded_by     bigint REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX return_photos_return_idx ON return_photos (unit_return_id, id);

-- +goose Down
DROP TABLE return_photos;
