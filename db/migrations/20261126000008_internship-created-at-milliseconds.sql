-- Up Migration
-- Browse cursors carry created_at as JavaScript prints it, to the millisecond; with microseconds in
-- the column, a posting created in the same millisecond as a page's last row, but a few microseconds
-- earlier, fell between two pages. The column now holds milliseconds, as the cursor does.
UPDATE internships SET created_at = date_trunc('milliseconds', created_at)
 WHERE created_at <> date_trunc('milliseconds', created_at);
ALTER TABLE internships ALTER COLUMN created_at SET DEFAULT date_trunc('milliseconds', now());

-- Down Migration
ALTER TABLE internships ALTER COLUMN created_at SET DEFAULT now();
