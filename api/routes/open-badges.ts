import type { Response } from 'express';
import { z } from 'zod';
import type { CredentialKeys } from '../../lib/credential-keys';
import { BADGE_MEDIA_TYPE, decodeBadge, didDocument, issuerDid, jwks } from '../../lib/open-badges';
import type { RouteDeps } from '../deps';
import type { DocumentedRouter } from '../documented-router';
import { json, problem } from '../openapi-kit';
import { credentialIdParam } from '../schemas';
import { credentialBadge, type BadgeDeps } from '../use-cases/credential-badge';
import { parse } from '../validate';

const publicJwk = z.object({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().describe('The public key, base64url'),
  kid: z.string().describe("The key's DID URL, as in the JWT header"),
  alg: z.literal('EdDSA'),
  use: z.literal('sig'),
});
const badgeQuery = z.object({
  format: z.enum(['jwt', 'json']).default('jwt').describe('json: the JWT with its header and claims decoded'),
});

/**
 * Anything public and the same for everyone may be read from any origin (a recruiter's verifier
 * in the browser) and kept a while; a new key is published before it signs (docs/OPERATIONS.md).
 */
function publicKeysHeaders(res: Response): void {
  res.set({
    'Cache-Control': 'public, max-age=300',
    'Access-Control-Allow-Origin': '*',
    'Cross-Origin-Resource-Policy': 'cross-origin',
  });
}

/**
 * DESIGN §8, public: a shared credential as an Open Badges 3.0 VC-JWT, and the keys that verify it,
 * as a JWKS and as the issuer's did:web document. Nothing here needs us to verify: any JOSE library does.
 */
export function addOpenBadgeRoutes(routes: DocumentedRouter, deps: RouteDeps, keys: CredentialKeys): void {
  const { config } = deps;
  badgeRoute(routes, {
    db: deps.db,
    keys,
    credentialSecret: config.CREDENTIAL_SECRET,
    publicBaseUrl: config.PUBLIC_BASE_URL,
  });
  publishedKeyRoutes(routes, config.PUBLIC_BASE_URL, keys);
}

/** A shared credential's badge, made for a credential issued before badges at its first download. */
function badgeRoute(routes: DocumentedRouter, badgeDeps: BadgeDeps): void {
  routes.route(
    {
      method: 'get',
      path: '/v1/credentials/{credentialId}/badge',
      summary: 'Download a shared credential as an Open Badges 3.0 VC-JWT, signed with Ed25519 (anyone)',
      description:
        'Verify it with any JOSE library against /.well-known/jwks.json (or the did:web document): alg EdDSA, the `kid` names the key.',
      request: { params: credentialIdParam, query: badgeQuery },
      responses: {
        200: {
          description: 'The compact JWS; with format=json, decoded beside it',
          content: {
            [BADGE_MEDIA_TYPE]: { schema: z.string() },
            'application/json': {
              schema: z.object({
                jwt: z.string(),
                header: z.object({ alg: z.literal('EdDSA'), typ: z.literal('JWT'), kid: z.string() }),
                credential: z
                  .record(z.string(), z.unknown())
                  .describe('The OpenBadgeCredential with iss, jti, sub, nbf'),
              }),
            },
          },
        },
        404: problem('Unknown credential, or one its student keeps private'),
        409: problem('The stored credential does not match its signature: refused, never signed'),
        422: problem('Invalid query'),
      },
    },
    async (req, res) => {
      const { credentialId } = parse(credentialIdParam, req.params, 'path');
      const { format } = parse(badgeQuery, req.query, 'query');
      const jwt = await credentialBadge(badgeDeps, credentialId);
      // Who may see it can change at any time (its student's choice): asked for again each time.
      res.set({ 'Cache-Control': 'no-cache', 'Access-Control-Allow-Origin': '*' });
      if (format === 'json') {
        const { header, payload } = decodeBadge(jwt);
        res.json({ jwt, header, credential: payload });
        return;
      }
      res.attachment(`credential-${credentialId}.jwt`).type(BADGE_MEDIA_TYPE).send(jwt);
    },
  );
}

/** The public halves of the keys, as a JWKS and in the did:web document. */
function publishedKeyRoutes(routes: DocumentedRouter, publicBaseUrl: string, keys: CredentialKeys): void {
  routes.route(
    {
      method: 'get',
      path: '/.well-known/jwks.json',
      summary: 'The public keys that verify credentials: the one signing now and every retired one (anyone)',
      responses: { 200: json(z.object({ keys: z.array(publicJwk) }), 'A JWK Set (RFC 7517)') },
    },
    async (_req, res) => {
      const published = jwks(publicBaseUrl, await keys.publicKeys());
      publicKeysHeaders(res);
      res.json(published);
    },
  );

  routes.route(
    {
      method: 'get',
      path: '/.well-known/did.json',
      summary: "The issuer's did:web document: the same keys as assertion methods (anyone)",
      responses: {
        200: json(
          z.object({
            '@context': z.array(z.string()),
            id: z
              .string()
              .describe(`did:web of PUBLIC_BASE_URL's host, e.g. ${issuerDid('https://example.com')}`),
            verificationMethod: z.array(
              z.object({
                id: z.string(),
                type: z.literal('JsonWebKey2020'),
                controller: z.string(),
                publicKeyJwk: publicJwk,
              }),
            ),
            assertionMethod: z.array(z.string()),
          }),
          'A DID document (did:web)',
        ),
      },
    },
    async (_req, res) => {
      const document = didDocument(publicBaseUrl, await keys.publicKeys());
      publicKeysHeaders(res);
      res.json(document);
    },
  );
}
