-- Up Migration
-- Every caller is a person with an account: a student, a member of an employer organisation, or an
-- operations staff member. An account is one email; what it may do comes from the one table that
-- names its kind (students, members, staff).
CREATE TABLE accounts (
  id                uuid PRIMARY KEY,
  -- Null only for an owner account made for an employer whose contact email already had one (below).
  email             text,
  kind              text        NOT NULL CHECK (kind IN ('student', 'member', 'staff')),
  name              text,
  email_verified_at timestamptz,
  -- A removed member or staff member: no sign-in, every session and token refused.
  disabled_at       timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX accounts_email ON accounts (lower(email)) WHERE email IS NOT NULL;

-- Students who signed up before sign-in existed used their token as their proof: treated as verified.
INSERT INTO accounts (id, email, kind, name, email_verified_at, created_at)
SELECT id, email, 'student', name, created_at, created_at FROM students;
DROP INDEX students_email;
ALTER TABLE students DROP COLUMN email, ADD FOREIGN KEY (id) REFERENCES accounts (id);

-- An employer is an organisation: its contact email is the billing contact for money emails.
CREATE TABLE members (
  account_id  uuid PRIMARY KEY REFERENCES accounts (id),
  employer_id uuid        NOT NULL REFERENCES employers (id),
  role        text        NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  time_zone   text        NOT NULL DEFAULT 'UTC',
  invited_by  uuid REFERENCES accounts (id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  removed_at  timestamptz
);
CREATE INDEX members_employer ON members (employer_id) WHERE removed_at IS NULL;

-- Each employer from before organisations gets its contact as owner, so its token keeps working as
-- that owner's API token. A contact email already taken by another account leaves the owner without
-- an email (it cannot sign in; ops invite a new owner), rather than merging two people.
CREATE TEMPORARY TABLE employer_owners ON COMMIT DROP AS
SELECT e.id AS employer_id, gen_random_uuid() AS account_id,
       CASE WHEN row_number() OVER (PARTITION BY lower(e.contact_email) ORDER BY e.created_at, e.id) = 1
             AND NOT EXISTS (SELECT 1 FROM accounts a WHERE lower(a.email) = lower(e.contact_email))
            THEN e.contact_email END AS email,
       e.contact_name, e.time_zone, e.created_at
  FROM employers e;
INSERT INTO accounts (id, email, kind, name, email_verified_at, created_at)
SELECT account_id, email, 'member', contact_name, created_at, created_at FROM employer_owners;
INSERT INTO members (account_id, employer_id, role, time_zone, created_at)
SELECT account_id, employer_id, 'owner', time_zone, created_at FROM employer_owners;

-- Operations staff, by role: support reads, finance decides money, admin manages staff and
-- organisations. Linked to the company's identity provider by its issuer and subject at first sign-in.
CREATE TABLE staff (
  account_id   uuid PRIMARY KEY REFERENCES accounts (id),
  role         text        NOT NULL CHECK (role IN ('support', 'finance', 'admin')),
  oidc_issuer  text,
  oidc_subject text,
  created_by   uuid REFERENCES accounts (id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  removed_at   timestamptz,
  UNIQUE (oidc_issuer, oidc_subject)
);

-- Sessions: opaque tokens stored as SHA-256, ended by idle time, by age, by sign-out or revocation.
-- A browser session also has a CSRF token that its cookie-authenticated writes send in a header (it
-- grants nothing without the cookie, so it is kept as it is and shown to the signed-in page).
CREATE TABLE sessions (
  id           uuid PRIMARY KEY,
  token_hash   bytea       NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  account_id   uuid        NOT NULL REFERENCES accounts (id),
  client       text        NOT NULL CHECK (client IN ('api', 'browser')),
  method       text        NOT NULL CHECK (method IN ('email-link', 'email-code', 'oidc')),
  csrf_token   text,
  user_agent   text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  revoked_at   timestamptz
);
CREATE INDEX sessions_account ON sessions (account_id) WHERE revoked_at IS NULL;

-- API tokens become personal, named, optionally expiring; the existing ones belong to their owner.
ALTER TABLE api_tokens
  ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid(),
  ADD COLUMN account_id uuid REFERENCES accounts (id),
  ADD COLUMN name text,
  ADD COLUMN expires_at timestamptz,
  ADD COLUMN last_used_at timestamptz;
UPDATE api_tokens t SET account_id = t.subject_id, name = 'Issued at sign-up' WHERE t.role = 'student';
UPDATE api_tokens t SET account_id = o.account_id, name = 'Employer token from before organisations'
  FROM employer_owners o WHERE t.role = 'employer' AND o.employer_id = t.subject_id;
DELETE FROM api_tokens WHERE account_id IS NULL;
DROP INDEX api_tokens_subject;
ALTER TABLE api_tokens
  DROP COLUMN role,
  DROP COLUMN subject_id,
  ALTER COLUMN account_id SET NOT NULL,
  ALTER COLUMN name SET NOT NULL,
  ADD UNIQUE (id);
CREATE INDEX api_tokens_account ON api_tokens (account_id) WHERE revoked_at IS NULL;

-- What a sign-in email carries: a link and a short code, both single use, stored hashed. A newer
-- email supersedes the older ones; five wrong codes lock it.
CREATE TABLE sign_in_challenges (
  id              uuid PRIMARY KEY,
  account_id      uuid        NOT NULL REFERENCES accounts (id),
  purpose         text        NOT NULL CHECK (purpose IN ('sign-in', 'verify', 'invite')),
  link_hash       bytea       NOT NULL UNIQUE CHECK (length(link_hash) = 32),
  code_hash       bytea       NOT NULL CHECK (length(code_hash) = 32),
  expires_at      timestamptz NOT NULL,
  failed_attempts integer     NOT NULL DEFAULT 0,
  locked_at       timestamptz,
  used_at         timestamptz,
  superseded_at   timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_challenges_account ON sign_in_challenges (account_id, created_at DESC);

-- An OpenID Connect sign-in under way: state, nonce and PKCE verifier, shared by every API process.
CREATE TABLE oidc_logins (
  state         text PRIMARY KEY,
  nonce         text        NOT NULL,
  code_verifier text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  used_at       timestamptz
);

-- Abuse limits counted here, shared by every API process (rate-limiter-flexible's table layout).
CREATE TABLE rate_limits (
  key    varchar(255) PRIMARY KEY,
  points integer NOT NULL DEFAULT 0,
  expire bigint
);

-- Who posted each posting: its emails go to them (money emails also to the billing contact).
ALTER TABLE internships ADD COLUMN posted_by uuid REFERENCES accounts (id);

-- The audit trail names the person (actor_id: their account), their role there (actor_title: owner,
-- admin or member of an organisation; support, finance or admin of the staff; student), their
-- organisation and the channel of every action. Actions on accounts, organisations and staff have
-- no internship; subject_id names the account or organisation acted on. Rows from before this name
-- an employer by the organisation's id in actor_id.
ALTER TABLE audit_events DROP CONSTRAINT audit_events_pkey;
ALTER TABLE audit_events DROP CONSTRAINT audit_events_channel_check;
ALTER TABLE audit_events DROP CONSTRAINT audit_events_actor_role_check;
ALTER TABLE audit_events
  ADD COLUMN id bigserial PRIMARY KEY,
  ALTER COLUMN internship_id DROP NOT NULL,
  ADD COLUMN actor_title text,
  ADD COLUMN organisation_id uuid,
  ADD COLUMN subject_id uuid,
  ADD CONSTRAINT audit_events_actor_role_check
    CHECK (actor_role IN ('employer', 'student', 'ops', 'system', 'break-glass')),
  ADD CONSTRAINT audit_events_channel_check
    CHECK (channel IN ('api', 'email', 'browser', 'workflow'));
CREATE UNIQUE INDEX audit_events_internship_key ON audit_events (internship_id, event_key)
  WHERE internship_id IS NOT NULL;
CREATE UNIQUE INDEX audit_events_key ON audit_events (event_key) WHERE internship_id IS NULL;
CREATE INDEX audit_events_actor ON audit_events (actor_id, at);

-- Down Migration
-- Accounts, sessions and organisations cannot be folded back into single tokens without losing
-- people: restore from a backup taken before this migration instead.
SELECT 1;
