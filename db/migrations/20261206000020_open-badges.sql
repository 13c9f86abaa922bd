-- Up Migration
-- DESIGN §8: a completion credential is also an Open Badges 3.0 credential, kept as a VC-JWT signed
-- with Ed25519 (lib/open-badges.ts) and re-signed with the HMAC statement it is made from. NULL on
-- credentials issued before: each is signed at its first download, once its HMAC checks.
ALTER TABLE credentials ADD COLUMN vc_jwt text;

-- The keys generated where none are configured (CREDENTIAL_SIGNING_KEYS unset: npm start, tests):
-- the first process that needs one creates it, and the unique index keeps it to one that signs, so
-- every replica and worker signs with it. Rows are never deleted: a retired key (signs = false)
-- stays published so that what it signed still verifies.
CREATE TABLE credential_signing_keys (
  key_id text PRIMARY KEY,
  private_jwk jsonb NOT NULL,
  signs boolean NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX credential_signing_keys_one_signs ON credential_signing_keys (signs) WHERE signs;

-- Down Migration
DROP TABLE credential_signing_keys;
ALTER TABLE credentials DROP COLUMN vc_jwt;
