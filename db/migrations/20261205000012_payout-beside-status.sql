-- Up Migration
-- An engagement that ended with money still owed to the student (a kill fee, a dispute's share)
-- keeps its status (Cancelled, Completed); the payout is shown beside it: pending until the
-- transfer is made (the student may still have to set up payouts), then sent. Null when no payout
-- is owed, and for internships whose workflow started before this was published.
ALTER TABLE internships
  ADD COLUMN payout text CHECK (payout IN ('pending', 'sent'));

-- Down Migration
ALTER TABLE internships DROP COLUMN payout;
