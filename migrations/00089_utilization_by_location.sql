-- +goose Up
-- The utilization rollup summed per local day and location: the dashboard's
-- charts over time read a few rows per day here instead of one per item,
-- however large the catalog. The rollup job rewrites it with the days it
-- recomputes, in the same transaction.
CREATE TABLE utilization_daily_location (
    day             date NOT NULL,
    location_id     bigint NOT NULL REFERENCES locations (id),
    hours_available double precision NOT NULL,
    hours_out       double precision NOT NULL,
    PRIMARY KEY (day, location_id)
);
INSERT INTO utilization_daily_location (day, location_id, hours_available, hours_out)
SELECT day, location_id, sum(hours_available), sum(hours_out) FROM utilization_daily GROUP BY day, location_id;

-- +goose Down
DROP TABLE utilization_daily_location;
