-- Up Migration
ALTER TABLE employers
  ADD COLUMN stripe_customer_id text,
  ADD COLUMN stripe_payment_method_id text;

ALTER TABLE students
  ADD COLUMN stripe_account_id text,
  ADD COLUMN payouts_enabled boolean NOT NULL DEFAULT false;

ALTER TABLE internships
  ADD COLUMN due_at timestamptz,
  ADD COLUMN paid_by timestamptz;

-- Every money movement, once: the primary key is the business step, the same one that forms the
-- Stripe idempotency key ('internship:<id>:<step>'). For an internship that has ended:
--   sum(charge) = sum(refund) + sum(transfer) + sum(platform_share).
CREATE TABLE ledger (
  internship_id    uuid        NOT NULL REFERENCES internships (id),
  step             text        NOT NULL,
  kind             text        NOT NULL CHECK (kind IN ('charge', 'refund', 'transfer', 'platform_share')),
  amount_cents     integer     NOT NULL CHECK (amount_cents >= 0),
  idempotency_key  text        NOT NULL,
  stripe_object_id text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (internship_id, step)
);

-- Each Stripe webhook event is applied once, whatever Stripe retries.
CREATE TABLE stripe_events (
  event_id      text PRIMARY KEY,
  type          text        NOT NULL,
  internship_id uuid,
  received_at   timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE stripe_events;
DROP TABLE ledger;
ALTER TABLE internships DROP COLUMN paid_by, DROP COLUMN due_at;
ALTER TABLE students DROP COLUMN payouts_enabled, DROP COLUMN stripe_account_id;
ALTER TABLE employers DROP COLUMN stripe_payment_method_id, DROP COLUMN stripe_customer_id;
