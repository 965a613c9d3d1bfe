-- +goose Up
-- Thresholds admins set; an alert fires while its figure is at or above.
CREATE TABLE alert_rules (
    key        text PRIMARY KEY,
    threshold  double precision NOT NULL CHECK (threshold >= 0),
    enabled    boolean NOT NULL DEFAULT true,
    updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO alert_rules (key, threshold) VALUES
    ('p95_latency_ms', 1000),
    ('error_rate_percent', 5),
    ('pool_waits', 10),
    ('dead_jobs', 1),
    ('oldest_queued_minutes', 10),
    ('overdue_units', 1);

-- Alert history. At most one alert per rule is open (ended_at NULL): the
-- unique index makes a second instance's "it fires" a no-op, so an alert
-- starts, and is mailed, once however many instances check.
CREATE TABLE alerts (
    id         bigserial PRIMARY KEY,
    rule       text NOT NULL REFERENCES alert_rules (key),
    value      double precision NOT NULL,
    threshold  double precision NOT NULL,
    started_at timestamptz NOT NULL,
    ended_at   timestamptz,
    -- Whether admins were mailed when it started (not when the last mail
    -- for the rule was too recent).
    notified   boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX alerts_firing_idx ON alerts (rule) WHERE ended_at IS NULL;
CREATE INDEX alerts_started_idx ON alerts (started_at DESC, id DESC);

-- +goose Down
DROP TABLE alerts, alert_rules;
