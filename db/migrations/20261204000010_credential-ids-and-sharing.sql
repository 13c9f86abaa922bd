-- Up Migration
-- Issue 12: a credential's id was its internship's id, so anyone who saw a posting could open the
-- credential of whoever was hired. Ids are now random (and stay stable across re-signing), and each
-- credential is shown only as far as its student chose:
--   private    (the default) nobody but the student sees it;
--   link       anyone holding its link sees it;
--   portfolio  it is also listed in the student's public portfolio.
ALTER TABLE credentials
  ADD COLUMN visibility text NOT NULL DEFAULT 'private'
    CHECK (visibility IN ('private', 'link', 'portfolio'));
UPDATE credentials SET id = gen_random_uuid() WHERE id = internship_id;

-- Down Migration
ALTER TABLE credentials DROP COLUMN visibility;
