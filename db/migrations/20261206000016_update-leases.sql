-- Up Migration
-- Slots for Updates in flight to one workflow, shared by every API process: Temporal keeps at most
-- 10 Updates in flight per workflow (history.maxInFlightUpdates), whatever the number of replicas
-- sending them. A slot is leased for a little longer than an Update may take; a process that dies
-- holding one frees it when the lease runs out.
CREATE UNLOGGED TABLE update_leases (
  workflow_id text        NOT NULL,
  slot        integer     NOT NULL,
  holder      uuid        NOT NULL,
  expires_at  timestamptz NOT NULL,
  PRIMARY KEY (workflow_id, slot)
);

-- Down Migration
DROP TABLE update_leases;
