-- Up Migration
-- Double-blind feedback: each side's row is shown to the other only once revealed_at is set
-- (both have given theirs, or 14 days passed).
CREATE TABLE feedback (
  internship_id        uuid        NOT NULL REFERENCES internships (id),
  from_role            text        NOT NULL CHECK (from_role IN ('employer', 'student')),
  rating               integer     NOT NULL CHECK (rating BETWEEN 1 AND 5),
  comment              text        NOT NULL,
  endorsed_skills      text[]      NOT NULL DEFAULT '{}',
  show_rating_publicly boolean     NOT NULL DEFAULT false,
  created_at           timestamptz NOT NULL DEFAULT now(),
  revealed_at          timestamptz,
  PRIMARY KEY (internship_id, from_role)
);

-- One verifiable credential per completed micro-internship; the signature covers the payload.
CREATE TABLE credentials (
  id            uuid PRIMARY KEY,
  internship_id uuid        NOT NULL UNIQUE REFERENCES internships (id),
  student_id    uuid        NOT NULL REFERENCES students (id),
  payload       text        NOT NULL,
  signature     text        NOT NULL,
  issued_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX credentials_student ON credentials (student_id, issued_at DESC);

CREATE TABLE hiring_offers (
  internship_id uuid        NOT NULL REFERENCES internships (id),
  offer_no      integer     NOT NULL,
  role          text        NOT NULL,
  type          text        NOT NULL,
  pay_cents     integer     NOT NULL,
  pay_period    text        NOT NULL,
  start_date    date        NOT NULL,
  expires_at    timestamptz NOT NULL,
  outcome       text CHECK (outcome IN ('accepted', 'declined', 'expired')),
  made_at       timestamptz NOT NULL DEFAULT now(),
  answered_at   timestamptz,
  PRIMARY KEY (internship_id, offer_no)
);

-- Down Migration
DROP TABLE hiring_offers;
DROP TABLE credentials;
DROP TABLE feedback;
