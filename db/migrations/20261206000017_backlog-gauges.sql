-- Up Migration
-- What the API's /metrics reads at every scrape (db/backlog.ts), each from a small partial index:
-- the emails not sent yet, and the payouts owed to students, with the oldest of each.
CREATE INDEX email_outbox_unsent ON email_outbox (created_at) WHERE sent_at IS NULL;

-- Since when the student's payout has been waiting: set when the internship enters Paying or shows
-- a payout pending beside its status, kept while it waits, cleared once paid. A trigger keeps it,
-- so every writer of the read model (recordState, also in workers of an older version during a
-- rolling deploy) maintains it.
ALTER TABLE internships ADD COLUMN payout_waiting_since timestamptz;

CREATE FUNCTION internships_payout_waiting_since() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = 'Paying' OR NEW.payout = 'pending' THEN
    NEW.payout_waiting_since := coalesce(NEW.payout_waiting_since, now());
  ELSE
    NEW.payout_waiting_since := NULL;
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER internships_payout_waiting_since
  BEFORE INSERT OR UPDATE OF status, payout ON internships
  FOR EACH ROW EXECUTE FUNCTION internships_payout_waiting_since();

-- Those waiting now: since their last write by the workflow, the best this schema knew.
UPDATE internships SET payout_waiting_since = coalesce(state_recorded_at, updated_at)
 WHERE status = 'Paying' OR payout = 'pending';

CREATE INDEX internships_payout_waiting ON internships (payout_waiting_since)
  WHERE payout_waiting_since IS NOT NULL;

-- Down Migration
DROP INDEX internships_payout_waiting;
DROP TRIGGER internships_payout_waiting_since ON internships;
DROP FUNCTION internships_payout_waiting_since();
ALTER TABLE internships DROP COLUMN payout_waiting_since;
DROP INDEX email_outbox_unsent;
