-- Up Migration
-- Emails print dates in their recipient's time zone (an IANA name such as Europe/Berlin, checked by
-- the API). Everyone who signed up before this reads UTC, as the emails always said.
ALTER TABLE students ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC';
ALTER TABLE employers ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC';

-- Down Migration
ALTER TABLE students DROP COLUMN time_zone;
ALTER TABLE employers DROP COLUMN time_zone;
