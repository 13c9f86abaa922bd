/**
 * DESIGN §8: a completion credential as an Open Badges 3.0 `OpenBadgeCredential` (a W3C Verifiable
 * Credential, data model 2.0), secured as a VC-JWT (OB 3.0 §8.2, "JSON Web Token Proof Format"),
 * signed with Ed25519 whose public half the platform publishes, so anyone verifies it with any JOSE
 * library. It states what the HMAC-signed statement states (lib/credentials.ts) and is made from it.
 */
import { sign } from 'node:crypto';
import type { CredentialSigningKey } from './credential-keys';
import type { CredentialPayload } from './credentials';
import type { PublicEd25519Jwk } from './ed25519-jwk';

export const VC_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
export const OB_CONTEXT = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';
/** What `GET /v1/credentials/{id}/badge` answers with: a JWT, as its `typ` says (OB 3.0 §8.2.2). */
export const BADGE_MEDIA_TYPE = 'application/jwt';

const origin = (publicBaseUrl: string) => publicBaseUrl.replace(/\/+$/, '');

/**
 * The platform's did:web: the host of PUBLIC_BASE_URL, its port percent-encoded, resolved by any
 * did:web resolver to `https://<host>/.well-known/did.json` (a path in PUBLIC_BASE_URL is not part of
 * it: the DID document is served at the origin).
 */
export const issuerDid = (publicBaseUrl: string): string =>
  `did:web:${encodeURIComponent(new URL(publicBaseUrl).host)}`;

/** The verification method of a key in the DID document; also its `kid` in the JWKS and in the JWT header. */
export const verificationMethodId = (publicBaseUrl: string, keyId: string): string =>
  `${issuerDid(publicBaseUrl)}#${keyId}`;

/** The credential's public page (built by the web app): the credential's id, and the subject's. */
export const credentialPageUrl = (publicBaseUrl: string, credentialId: string): string =>
  `${origin(publicBaseUrl)}/c/${credentialId}`;

/**
 * A student's public portfolio, the page to share (built by the web app): the credentials they
 * listed in it. The same list as JSON is GET /v1/students/:id/portfolio.
 */
export const portfolioUrl = (publicBaseUrl: string, studentId: string): string =>
  `${origin(publicBaseUrl)}/p/${studentId}`;

export const badgeUrl = (publicBaseUrl: string, credentialId: string): string =>
  `${origin(publicBaseUrl)}/v1/credentials/${credentialId}/badge`;

export const jwksUrl = (publicBaseUrl: string): string => `${origin(publicBaseUrl)}/.well-known/jwks.json`;
export const didDocumentUrl = (publicBaseUrl: string): string =>
  `${origin(publicBaseUrl)}/.well-known/did.json`;

/** An ISO instant to the second: `nbf` counts whole seconds and must equal `validFrom` (OB 3.0 §8.2.4). */
const toSecond = (iso: string) =>
  new Date(Math.floor(Date.parse(iso) / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** What the statement says beyond the achievement, in words a reader of the badge understands. */
function narrativeOf(p: CredentialPayload): string {
  const dates = p.startedAt ? `from ${p.startedAt.slice(0, 10)} to ` : 'on ';
  return [
    `${p.student.name} completed the micro-internship "${p.title}" for ${p.employer} ${dates}${p.completedAt.slice(0, 10)}.`,
    p.endorsedSkills.length > 0 ? `${p.employer} endorsed: ${p.endorsedSkills.join(', ')}.` : '',
    p.skillsPractised.length > 0 ? `Skills practised: ${p.skillsPractised.join(', ')}.` : '',
    p.employerRating !== undefined ? `${p.employer} rated the work ${p.employerRating} out of 5.` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

/**
 * The OB 3.0 credential of a signed statement. The student is named, never identified by their
 * account id: the subject's id is a fragment of the credential's page, and their name is both an
 * IdentityObject (how OB 3.0 identifies a recipient without a DID) and `name` (schema.org, in the
 * OB context) for displayers. The employer is the achievement's creator.
 */
export function achievementCredential(p: CredentialPayload, publicBaseUrl: string) {
  const page = credentialPageUrl(publicBaseUrl, p.credentialId);
  const issuer = issuerDid(publicBaseUrl);
  return {
    '@context': [VC_CONTEXT, OB_CONTEXT],
    id: page,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: { id: issuer, type: ['Profile'], name: 'Micro-internships', url: origin(publicBaseUrl) },
    validFrom: toSecond(p.completedAt),
    name: p.title,
    description: narrativeOf(p),
    credentialSubject: {
      id: `${page}#recipient`,
      type: ['AchievementSubject'],
      name: p.student.name,
      identifier: [
        { type: 'IdentityObject', identityType: 'name', identityHash: p.student.name, hashed: false },
      ],
      ...(p.startedAt ? { activityStartDate: p.startedAt } : {}),
      activityEndDate: p.completedAt,
      achievement: {
        id: `${page}#achievement`,
        type: ['Achievement'],
        achievementType: 'ext:MicroInternship',
        name: p.title,
        description: `A paid micro-internship for ${p.employer}: "${p.title}".`,
        criteria: {
          narrative: `The student delivered the work of "${p.title}", ${p.employer} accepted it (or ops judged it delivered in a dispute), and the student was paid for it.`,
        },
        creator: { id: `${page}#employer`, type: ['Profile'], name: p.employer },
        tag: p.skills,
      },
    },
  };
}
export type AchievementCredential = ReturnType<typeof achievementCredential>;

const encode = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/**
 * The credential as a compact JWS. We follow OB 3.0.3 with VC data model 2.0: the JWT payload IS
 * the credential, beside the registered claims `iss` (issuer.id), `jti` (id), `sub`
 * (credentialSubject.id) and `nbf` (validFrom), not wrapped in a `vc` claim (that is VC 1.1's
 * form). The header is only `alg`, `typ` and `kid`, the DID URL of the key (OB 3.0 §8.2.2).
 */
export function signBadge(
  vc: AchievementCredential,
  key: CredentialSigningKey,
  publicBaseUrl: string,
): string {
  const header = { alg: 'EdDSA', typ: 'JWT', kid: verificationMethodId(publicBaseUrl, key.keyId) };
  const claims = {
    iss: vc.issuer.id,
    jti: vc.id,
    sub: vc.credentialSubject.id,
    nbf: Date.parse(vc.validFrom) / 1000,
    ...vc,
  };
  const input = `${encode(header)}.${encode(claims)}`;
  return `${input}.${sign(null, Buffer.from(input, 'ascii'), key.privateKey).toString('base64url')}`;
}

/** The header and payload of a compact JWS, read without checking it (what it claims, not that it holds). */
export function decodeBadge(jwt: string): { header: { kid?: string }; payload: Record<string, unknown> } {
  const [header = '', payload = ''] = jwt.split('.');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { kid?: string },
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>,
  };
}

const published = (publicBaseUrl: string, jwk: PublicEd25519Jwk) => ({
  ...jwk,
  kid: verificationMethodId(publicBaseUrl, jwk.kid),
  alg: 'EdDSA',
  use: 'sig',
});

/** `/.well-known/jwks.json`: every key's public half, under the `kid` its JWTs carry. */
export const jwks = (publicBaseUrl: string, keys: PublicEd25519Jwk[]) => ({
  keys: keys.map((k) => published(publicBaseUrl, k)),
});

/** `/.well-known/did.json`: the same keys as verification methods the issuer asserts with. */
export function didDocument(publicBaseUrl: string, keys: PublicEd25519Jwk[]) {
  const id = issuerDid(publicBaseUrl);
  const methods = keys.map((k) => ({
    id: verificationMethodId(publicBaseUrl, k.kid),
    type: 'JsonWebKey2020',
    controller: id,
    publicKeyJwk: published(publicBaseUrl, k),
  }));
  return {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/suites/jws-2020/v1'],
    id,
    verificationMethod: methods,
    assertionMethod: methods.map((m) => m.id),
  };
}
