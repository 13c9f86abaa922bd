-- Up Migration
-- The read model is written by a local activity inside the workflow task that changes the state.
-- When a worker dies before that task completes, the write stays but the task is lost: the workflow
-- runs it again later, from the last durable point and possibly with new input, and may then
-- publish a different status under the same state version. So writes are ordered by the task that
-- made them, then by version:
--   state_task_time  the workflow's time in that task (ms): each attempt of a task, and the first
--                    task of a run made by a reset, is later than every task before it;
--   state_task       the history length the task started at, for two tasks in one millisecond.
-- state_recorded_at is when the row was last written by the workflow (updated_at also moves with
-- applications), which tells the API how fresh a published state is.
ALTER TABLE internships
  ADD COLUMN state_task_time bigint NOT NULL DEFAULT 0,
  ADD COLUMN state_task bigint NOT NULL DEFAULT 0,
  ADD COLUMN state_recorded_at timestamptz;

-- Down Migration
ALTER TABLE internships DROP COLUMN state_task_time, DROP COLUMN state_task, DROP COLUMN state_recorded_at;
