import type { KeyObject } from 'node:crypto';
import type { Queryable } from '../db/pool';
import { listSigningKeys, signingKeyOrCreate } from '../db/signing-keys';
import { ed25519KeyOf, generateEd25519Jwk, type Ed25519Jwk, type PublicEd25519Jwk } from './ed25519-jwk';

/** The key that signs new credentials. */
export interface CredentialSigningKey {
  keyId: string;
  privateKey: KeyObject;
}

/**
 * The platform's credential keys: those configured (CREDENTIAL_SIGNING_KEYS, the first signs) and
 * those kept in Postgres. With none configured, one is generated at first use and stored, shared by
 * every process. The public halves of all of them are published, so a credential signed under a key
 * that no longer signs still verifies; a configured key wins over a stored one of the same id.
 */
export class CredentialKeys {
  private readonly configured;
  private stored: Promise<CredentialSigningKey> | undefined;

  constructor(
    private readonly db: Queryable,
    configured: readonly Ed25519Jwk[] = [],
  ) {
    this.configured = configured.map(ed25519KeyOf);
  }

  async signingKey(): Promise<CredentialSigningKey> {
    const first = this.configured[0];
    if (first?.privateKey) return { keyId: first.keyId, privateKey: first.privateKey };
    // The stored signer never changes once created: read once per process (a failure is retried).
    this.stored ??= signingKeyOrCreate(this.db, generateEd25519Jwk()).then(
      ({ privateJwk }) => ed25519KeyOf(privateJwk) as CredentialSigningKey,
      (error: unknown) => {
        this.stored = undefined;
        throw error;
      },
    );
    return this.stored;
  }

  /** The public halves to publish: the signing key first, then the others (configured, then stored). */
  async publicKeys(): Promise<PublicEd25519Jwk[]> {
    const signer = (await this.signingKey()).keyId;
    const stored = (await listSigningKeys(this.db)).map(({ privateJwk }) => ed25519KeyOf(privateJwk));
    const all = [...this.configured, ...stored];
    const unique = all.filter((key, i) => all.findIndex((k) => k.keyId === key.keyId) === i);
    return [...unique.filter((k) => k.keyId === signer), ...unique.filter((k) => k.keyId !== signer)].map(
      (k) => k.publicJwk,
    );
  }
}
