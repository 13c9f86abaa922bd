-- Up Migration
-- Stripe's account.updated webhook finds the student by connected account, then the internships
-- whose payout waits for them (db/payments.ts markAccountReady). Without an index both were
-- sequential scans: 2.4 ms a call with 3,000 internships in the benchmark, growing with the tables.
-- The internships side uses internships_payout_waiting (the rows with a payout waiting).
CREATE INDEX students_stripe_account ON students (stripe_account_id) WHERE stripe_account_id IS NOT NULL;

-- Down Migration
DROP INDEX students_stripe_account;
