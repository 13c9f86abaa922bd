-- Up Migration
-- The read model of each internship workflow: written by the API at creation, then by the workflow's
-- activities; state_version only grows, so a retried write can never move the state backwards.
CREATE TABLE internships (
  id                   uuid PRIMARY KEY,
  workflow_id          text        NOT NULL UNIQUE,
  employer_id          uuid        NOT NULL REFERENCES employers (id),
  title                text        NOT NULL,
  description          text        NOT NULL,
  deliverable          text        NOT NULL,
  skills               text[]      NOT NULL,
  estimated_hours      integer     NOT NULL CHECK (estimated_hours BETWEEN 5 AND 40),
  fee_cents            integer     NOT NULL CHECK (fee_cents > 0),
  max_applicants       integer     NOT NULL CHECK (max_applicants BETWEEN 1 AND 200),
  application_deadline timestamptz NOT NULL,
  selection_window_ms  bigint      NOT NULL,
  accept_window_ms     bigint      NOT NULL,
  work_duration_ms     bigint      NOT NULL,
  review_window_ms     bigint      NOT NULL,
  status               text        NOT NULL,
  next_deadline        timestamptz,
  applicant_count      integer     NOT NULL DEFAULT 0,
  state_version        integer     NOT NULL DEFAULT 0,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX internships_employer ON internships (employer_id, created_at DESC, id DESC);
CREATE INDEX internships_status ON internships (status, created_at DESC, id DESC);

-- Down Migration
DROP TABLE internships;
