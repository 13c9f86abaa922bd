-- Up Migration
-- Who did what to an internship, when, and through which channel. Human actions are keyed by the
-- Temporal Update id they ran as (so the trail can be matched with the workflow history); status
-- changes by the workflow's state version.
CREATE TABLE audit_events (
  internship_id uuid        NOT NULL REFERENCES internships (id),
  event_key     text        NOT NULL,
  at            timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor_role    text        NOT NULL CHECK (actor_role IN ('employer', 'student', 'ops', 'system')),
  actor_id      text,
  channel       text        NOT NULL CHECK (channel IN ('api', 'email', 'workflow')),
  action        text        NOT NULL,
  PRIMARY KEY (internship_id, event_key)
);
CREATE INDEX audit_events_time ON audit_events (internship_id, at);

-- Down Migration
DROP TABLE audit_events;
