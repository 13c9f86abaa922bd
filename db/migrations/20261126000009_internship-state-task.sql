-- Up Migration
-- The read model is written by a local activity inside a workflow task. When a worker dies before
-- that task completes, the write stays but the task is lost: the workflow runs it again later, from
-- the last durable point and possibly with new input, and may then publish a different status under
-- the same state version. state_task is the workflow task that wrote the row (the history length it
-- started at): a later task's write replaces an earlier one's, whatever their versions.
ALTER TABLE internships ADD COLUMN state_task bigint NOT NULL DEFAULT 0;

-- Down Migration
ALTER TABLE internships DROP COLUMN state_task;
