import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { z } from 'zod';

/** The public half of an Ed25519 key as a JWK (RFC 8037), named by its key id. */
export interface PublicEd25519Jwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
}

/** A credential signing key: its id, its public half, and its private half when this process may sign with it. */
export interface Ed25519Key {
  keyId: string;
  publicJwk: PublicEd25519Jwk;
  privateKey?: KeyObject;
}

const base64url = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be 32 bytes in base64url');

/** A JWK as given in CREDENTIAL_SIGNING_KEYS: private (with `d`), or public only for a retired key. */
export const ed25519JwkSchema = z.object({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: base64url,
  d: base64url.optional(),
  kid: z
    .string()
    .regex(/^[\w.-]{1,64}$/, 'letters, digits, ".", "_" or "-" (at most 64)')
    .optional(),
});
export type Ed25519Jwk = z.infer<typeof ed25519JwkSchema>;

/** RFC 7638: the SHA-256 thumbprint of the key's required members, in base64url: its id when none is given. */
export const jwkThumbprint = (x: string): string =>
  createHash('sha256')
    .update(JSON.stringify({ crv: 'Ed25519', kty: 'OKP', x }), 'utf8')
    .digest('base64url');

/**
 * The key a JWK describes; throws when its private half does not belong to its public half (a key
 * pasted from two places), so a wrong key is refused at start rather than signing unverifiable badges.
 */
export function ed25519KeyOf(jwk: Ed25519Jwk): Ed25519Key {
  const keyId = jwk.kid ?? jwkThumbprint(jwk.x);
  const publicJwk: PublicEd25519Jwk = { kty: 'OKP', crv: 'Ed25519', x: jwk.x, kid: keyId };
  if (!jwk.d) return { keyId, publicJwk };
  const privateKey = createPrivateKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x, d: jwk.d },
    format: 'jwk',
  });
  if (createPublicKey(privateKey).export({ format: 'jwk' }).x !== jwk.x) {
    throw new Error(`key ${keyId}: its private half ("d") does not match its public half ("x")`);
  }
  return { keyId, publicJwk, privateKey };
}

/** A new Ed25519 key as a private JWK, named by its thumbprint. */
export function generateEd25519Jwk(): Required<Ed25519Jwk> {
  const { privateKey } = generateKeyPairSync('ed25519');
  const { x, d } = privateKey.export({ format: 'jwk' });
  if (!x || !d) throw new Error('node:crypto exported an Ed25519 key without x or d');
  return { kty: 'OKP', crv: 'Ed25519', x, d, kid: jwkThumbprint(x) };
}
