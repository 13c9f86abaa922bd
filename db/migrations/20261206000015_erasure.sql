-- Up Migration
-- A student erased at their request (or by ops on it): the account keeps its id for the ledger and
-- the workflows' histories, and nothing else that names or was written by them.
ALTER TABLE accounts ADD COLUMN erased_at timestamptz;
ALTER TABLE credentials ADD COLUMN revoked_at timestamptz;

-- Down Migration
ALTER TABLE credentials DROP COLUMN revoked_at;
ALTER TABLE accounts DROP COLUMN erased_at;
