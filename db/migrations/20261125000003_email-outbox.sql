-- Up Migration
-- One row per email the platform means to send, keyed by a business dedupe key such as
-- 'internship:<id>:email:posting-expired': a retried activity finds the row and does not mail twice.
CREATE TABLE email_outbox (
  dedupe_key    text PRIMARY KEY,
  internship_id uuid REFERENCES internships (id),
  recipient     text        NOT NULL,
  subject       text        NOT NULL,
  text_body     text        NOT NULL,
  html_body     text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  sent_at       timestamptz,
  message_id    text
);
CREATE INDEX email_outbox_internship ON email_outbox (internship_id);

-- Down Migration
DROP TABLE email_outbox;
