-- +goose Up
-- Each instance's request figures per minute and route group, written every
-- few seconds from its in-process counters (never per request), so the alert
-- check adds up the traffic of every instance: two instances with half the
-- traffic each give the figures one instance with all of it would. Rows are
-- kept two hours; a stopped instance's rows simply age out of the window.
CREATE TABLE request_minutes (
    minute      timestamptz NOT NULL,
    -- Random per process start (host, pid and random bytes).
    instance    text NOT NULL,
    route_group text NOT NULL,
    requests    bigint NOT NULL CHECK (requests >= 0),
    errors      bigint NOT NULL CHECK (errors >= 0),
    -- Latency histogram: requests per bucket (not cumulative) for each upper
    -- bound in seconds, plus one last bucket past the last bound. The bounds
    -- are stored so instances of different versions still add up by bound.
    bounds      double precision[] NOT NULL,
    buckets     bigint[] NOT NULL CHECK (cardinality(buckets) = cardinality(bounds) + 1),
    PRIMARY KEY (minute, instance, route_group)
);

-- Connection pool waits per instance and minute, added up the same way.
CREATE TABLE pool_wait_minutes (
    minute   timestamptz NOT NULL,
    instance text NOT NULL,
    waits    bigint NOT NULL CHECK (waits >= 0),
    PRIMARY KEY (minute, instance)
);

-- +goose Down
DROP TABLE request_minutes, pool_wait_minutes;
