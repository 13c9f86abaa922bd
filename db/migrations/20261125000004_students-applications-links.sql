-- Up Migration
-- Students: no GPA column, by design. Name, email and school are hidden from employers until a
-- student accepts an offer (blind review).
CREATE TABLE students (
  id              uuid PRIMARY KEY,
  name            text        NOT NULL,
  email           text        NOT NULL,
  school          text,
  major           text        NOT NULL,
  graduation_year integer     NOT NULL,
  skills          text[]      NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX students_email ON students (lower(email));

ALTER TABLE internships
  ADD COLUMN screening_questions text[] NOT NULL DEFAULT '{}',
  ADD COLUMN student_id uuid REFERENCES students (id);
CREATE INDEX internships_open_skills ON internships USING gin (skills) WHERE status = 'Open';

-- The readable copy of each application; the workflow decides, activities write here.
CREATE TABLE applications (
  id            uuid PRIMARY KEY,
  internship_id uuid        NOT NULL REFERENCES internships (id),
  student_id    uuid        NOT NULL REFERENCES students (id),
  label         text        NOT NULL,
  pitch         text        NOT NULL,
  answers       text[]      NOT NULL,
  status        text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (internship_id, student_id)
);
CREATE INDEX applications_student ON applications (student_id);

-- Email links: only the SHA-256 of the token is stored. Every link of one decision shares a
-- decision_key, so using one (accept) also spends its siblings (decline).
CREATE TABLE action_tokens (
  token_hash    bytea PRIMARY KEY CHECK (length(token_hash) = 32),
  decision_key  text        NOT NULL,
  action        text        NOT NULL,
  internship_id uuid        NOT NULL REFERENCES internships (id),
  actor_role    text        NOT NULL CHECK (actor_role IN ('employer', 'student')),
  actor_id      uuid        NOT NULL,
  expires_at    timestamptz NOT NULL,
  used_at       timestamptz,
  used_action   text,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX action_tokens_decision ON action_tokens (decision_key);

-- Idempotency-Key of creating POSTs: the first answer is kept and replayed for the same request.
CREATE TABLE idempotency_keys (
  principal     text        NOT NULL,
  key           text        NOT NULL,
  request_hash  text        NOT NULL,
  status        integer,
  response      jsonb,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (principal, key)
);

-- Down Migration
DROP TABLE idempotency_keys;
DROP TABLE action_tokens;
DROP TABLE applications;
DROP INDEX internships_open_skills;
ALTER TABLE internships DROP COLUMN student_id, DROP COLUMN screening_questions;
DROP TABLE students;
