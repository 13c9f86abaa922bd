-- Temporal's auto-setup creates its own schemas in these databases on the shared Postgres.
CREATE DATABASE temporal;
CREATE DATABASE temporal_visibility;
