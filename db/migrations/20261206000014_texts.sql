-- Up Migration
-- What people write about an internship (a submission's link and notes, review comments, an
-- extension's or a cancellation's reason, feedback's comment and skills, a hiring offer's terms)
-- lives here, written by the API before it asks the workflow; the workflow's history carries only
-- the id. The author's account is kept for export and erasure.
CREATE TABLE texts (
  id            uuid PRIMARY KEY,
  internship_id uuid        NOT NULL REFERENCES internships (id),
  author_id     uuid REFERENCES accounts (id),
  kind          text        NOT NULL
    CHECK (kind IN ('submission', 'review', 'extension', 'cancellation', 'feedback', 'hiring-offer')),
  body          jsonb       NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX texts_internship ON texts (internship_id);
CREATE INDEX texts_author ON texts (author_id);

-- Down Migration
DROP TABLE texts;
