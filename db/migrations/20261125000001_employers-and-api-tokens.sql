-- Up Migration
CREATE TABLE employers (
  id            uuid PRIMARY KEY,
  company_name  text        NOT NULL,
  contact_name  text,
  contact_email text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- Bearer tokens are stored only as their SHA-256: a leaked table grants nothing.
CREATE TABLE api_tokens (
  token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
  role       text        NOT NULL CHECK (role IN ('employer', 'student')),
  subject_id uuid        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE INDEX api_tokens_subject ON api_tokens (role, subject_id);

-- Down Migration
DROP TABLE api_tokens;
DROP TABLE employers;
