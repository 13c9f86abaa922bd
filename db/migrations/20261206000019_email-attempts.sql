-- Up Migration
-- A send that began and whose outcome was never recorded: its sender died, or lost the SMTP
-- connection, after the final "." may have reached the server. The next sender looks such an
-- email up at the mail server before sending it again (lib/mail/outbox.ts sendQueued), once it has
-- been in doubt for a few seconds since a sender first found it so (doubt_since).
ALTER TABLE email_outbox ADD COLUMN attempt_id uuid, ADD COLUMN doubt_since timestamptz;

-- Down Migration
ALTER TABLE email_outbox DROP COLUMN attempt_id, DROP COLUMN doubt_since;
