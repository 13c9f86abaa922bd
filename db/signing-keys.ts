import type { Queryable } from './pool';

/** A credential signing key kept in Postgres: a private JWK, and whether it is the one that signs. */
export interface StoredSigningKey {
  keyId: string;
  privateJwk: { kty: 'OKP'; crv: 'Ed25519'; x: string; d: string; kid: string };
  signs: boolean;
}

type Row = { key_id: string; private_jwk: StoredSigningKey['privateJwk']; signs: boolean };
const toKey = (r: Row): StoredSigningKey => ({ keyId: r.key_id, privateJwk: r.private_jwk, signs: r.signs });

/**
 * The stored key that signs, creating it from `candidate` when there is none. Race-safe: of the
 * processes that get here at once, one insert wins (the unique index on `signs`), and every one
 * reads back that winner, so all replicas and workers sign with the same key.
 */
export async function signingKeyOrCreate(
  db: Queryable,
  candidate: StoredSigningKey['privateJwk'],
): Promise<StoredSigningKey> {
  await db.query(
    `INSERT INTO credential_signing_keys (key_id, private_jwk, signs) VALUES ($1, $2, true) ON CONFLICT DO NOTHING`,
    [candidate.kid, candidate],
  );
  const { rows } = await db.query<Row>(`SELECT * FROM credential_signing_keys WHERE signs`);
  if (!rows[0]) throw new Error('no credential signing key after inserting one');
  return toKey(rows[0]);
}

/** Every stored key, the one that signs and the retired ones: their public halves are all published. */
export async function listSigningKeys(db: Queryable): Promise<StoredSigningKey[]> {
  const { rows } = await db.query<Row>(
    `SELECT * FROM credential_signing_keys ORDER BY signs DESC, created_at DESC`,
  );
  return rows.map(toKey);
}
