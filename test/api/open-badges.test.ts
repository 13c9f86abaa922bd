/**
 * DESIGN §8 through HTTP: a completion credential downloads as an Open Badges 3.0 VC-JWT that an
 * independent library (jose) verifies against the keys the platform publishes — the JWKS or the
 * did:web document — without asking this API whether it holds; one changed byte fails; a rotated
 * key signs new credentials while the old ones still verify; credentials issued before badges
 * still verify and get a badge, but a stored statement that was altered is never signed.
 */
import type { JWK, JWTPayload } from 'jose' with { 'resolution-mode': 'import' };
import { signingKeyOrCreate } from '../../db/signing-keys';
import { CredentialKeys } from '../../lib/credential-keys';
import { signCredential } from '../../lib/credentials';
import { generateEd25519Jwk } from '../../lib/ed25519-jwk';
import { freshDatabase } from '../helpers/fresh-database';
import { sharedCredential } from '../helpers/journeys';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';

// Production's way: keys in CREDENTIAL_SIGNING_KEYS. The second key is made now, used after rotation.
const firstKey = { ...generateEd25519Jwk(), kid: 'key-2026-12' };
const secondKey = { ...generateEd25519Jwk(), kid: 'key-2027-06' };

// The platform's public address: the issuer's did:web, and the id of every credential, so it stays
// the same across the restart of the rotation (the harness's own address changes).
const PUBLIC_BASE_URL = 'https://credentials.microinternships.test';
const issuer = 'did:web:credentials.microinternships.test';
const started = (keys: object[]) =>
  startApiHarness({ config: { PUBLIC_BASE_URL, CREDENTIAL_SIGNING_KEYS: JSON.stringify(keys) } });

/** jose, the independent verifier: ES modules only, so loaded with import() (api/oidc.ts does the same). */
const loadJose = () => import('jose');
let jose: Awaited<ReturnType<typeof loadJose>>;
let h: ApiHarness;
beforeAll(async () => {
  jose = await loadJose();
  h = await started([firstKey]);
});
afterAll(async () => {
  await h?.stop();
});

/** What a recruiter downloads: the JWT, as text. */
async function download(baseUrl: string, credentialId: string) {
  const response = await fetch(`${baseUrl}/v1/credentials/${credentialId}/badge`);
  return { status: response.status, type: response.headers.get('content-type'), jwt: await response.text() };
}

/** What the recruiter's tool does: fetch the published keys, check the signature and the claims. */
async function verifyWithJwks(baseUrl: string, jwt: string) {
  const jwks = await (await fetch(`${baseUrl}/.well-known/jwks.json`)).json();
  return jose.jwtVerify(jwt, jose.createLocalJWKSet(jwks as { keys: JWK[] }), {
    algorithms: ['EdDSA'],
    typ: 'JWT',
  });
}

/**
 * The same check, the key found by resolving the issuer's did:web: did:web:<host> is
 * https://<host>/.well-known/did.json, which the harness serves for that host.
 */
async function verifyWithDidWeb(baseUrl: string, jwt: string) {
  const { kid } = jose.decodeProtectedHeader(jwt);
  const did = kid!.split('#')[0]!;
  const resolved = `https://${decodeURIComponent(did.replace(/^did:web:/, ''))}/.well-known/did.json`;
  expect(resolved).toBe(`${PUBLIC_BASE_URL}/.well-known/did.json`);
  const document = (await (await fetch(`${baseUrl}/.well-known/did.json`)).json()) as {
    id: string;
    assertionMethod: string[];
    verificationMethod: { id: string; publicKeyJwk: JWK }[];
  };
  expect(document.id).toBe(did);
  expect(document.assertionMethod).toContain(kid);
  const method = document.verificationMethod.find((m) => m.id === kid);
  return jose.jwtVerify(jwt, await jose.importJWK(method!.publicKeyJwk, 'EdDSA'), { issuer: did });
}

/** One byte of the payload changed, the header and the signature kept. */
function withOneByteChanged(jwt: string, from: string, to: string): string {
  const [header, payload, signature] = jwt.split('.') as [string, string, string];
  const text = Buffer.from(payload, 'base64url').toString('utf8');
  expect(text).toContain(from);
  return [header, Buffer.from(text.replace(from, to), 'utf8').toString('base64url'), signature].join('.');
}

test('a shared credential downloads as an Open Badges 3.0 credential that jose verifies with the published keys, and fails after one changed byte', async () => {
  const { credentialId, student } = await sharedCredential(h, 'Amara Okafor', 'Clean a churn dataset');

  const badge = await download(h.baseUrl, credentialId);
  expect(badge.status).toBe(200);
  expect(badge.type).toMatch(/^application\/jwt/);
  const { payload, protectedHeader } = await verifyWithJwks(h.baseUrl, badge.jwt);
  const did = issuer;
  expect(protectedHeader).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: `${did}#key-2026-12` });
  const credential = payload as JWTPayload & Record<string, any>;
  expect(credential['@context']).toEqual([
    'https://www.w3.org/ns/credentials/v2',
    'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
  ]);
  expect(credential.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
  expect(credential.id).toBe(`${PUBLIC_BASE_URL}/c/${credentialId}`);
  expect(credential.issuer).toMatchObject({ id: did, type: ['Profile'] });
  expect(credential.credentialSubject).toMatchObject({
    type: ['AchievementSubject'],
    name: 'Amara Okafor',
    identifier: [
      { type: 'IdentityObject', identityType: 'name', identityHash: 'Amara Okafor', hashed: false },
    ],
    achievement: {
      type: ['Achievement'],
      name: 'Clean a churn dataset',
      creator: { type: ['Profile'], name: 'Contoso Analytics' },
      criteria: { narrative: expect.stringContaining('Clean a churn dataset') },
    },
  });
  // The registered claims say what the credential says (OB 3.0 §8.2.4).
  expect({ iss: credential.iss, jti: credential.jti, sub: credential.sub, nbf: credential.nbf }).toEqual({
    iss: did,
    jti: credential.id,
    sub: credential.credentialSubject.id,
    nbf: Date.parse(credential.validFrom) / 1000,
  });
  expect((await verifyWithDidWeb(h.baseUrl, badge.jwt)).payload.jti).toBe(credential.id);

  const forged = withOneByteChanged(badge.jwt, 'Clean a churn', 'Clear a churn');
  await expect(verifyWithJwks(h.baseUrl, forged)).rejects.toMatchObject({
    code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  });
  await expect(verifyWithDidWeb(h.baseUrl, forged)).rejects.toMatchObject({
    code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  });

  // The credential's own view says where its badge is and which key signed it; ?format=json decodes it.
  const view = await call(h.baseUrl, 'GET', `/v1/credentials/${credentialId}`);
  expect(view.body.page).toBe(credential.id);
  expect(view.body.badge).toEqual({
    url: `${PUBLIC_BASE_URL}/v1/credentials/${credentialId}/badge`,
    mediaType: 'application/jwt',
    issuer: did,
    verificationMethod: `${did}#key-2026-12`,
    jwks: `${PUBLIC_BASE_URL}/.well-known/jwks.json`,
    didDocument: `${PUBLIC_BASE_URL}/.well-known/did.json`,
  });
  const decoded = await call(h.baseUrl, 'GET', `/v1/credentials/${credentialId}/badge?format=json`);
  expect(decoded.body).toMatchObject({ jwt: badge.jwt, credential: { id: credential.id } });

  // Public, and only as far as its student shared it.
  const keys = await fetch(`${h.baseUrl}/.well-known/jwks.json`);
  expect(keys.headers.get('cache-control')).toBe('public, max-age=300');
  expect(JSON.stringify(await keys.json())).not.toContain('"d"');
  await h.db.query(`UPDATE credentials SET visibility = 'private' WHERE id = $1`, [credentialId]);
  expect((await download(h.baseUrl, credentialId)).status).toBe(404);
  expect((await download(h.baseUrl, '00000000-0000-0000-0000-000000000000')).status).toBe(404);

  // A student who erases their account takes the badge that names them with it.
  const erased = await call(h.baseUrl, 'DELETE', '/v1/students/me', { token: student.token });
  expect(erased.status).toBe(200);
  const { rows } = await h.db.query(`SELECT vc_jwt FROM credentials WHERE id = $1`, [credentialId]);
  expect(rows).toEqual([{ vc_jwt: null }]);
});

test('a credential issued before badges (HMAC only) still verifies and gets a badge at its first download; an altered one is refused, never signed', async () => {
  const { credentialId, internshipId, student } = await sharedCredential(h, 'Bao Tran', 'Map a supply chain');
  // As the oldest rows were written: the statement under the internship's id, naming the student's
  // id, HMAC-signed, and no badge.
  const legacy = JSON.stringify({
    credentialId: internshipId,
    type: 'micro-internship-completion',
    student: { id: student.id, name: 'Bao Tran' },
    employer: 'Contoso Analytics',
    title: 'Map a supply chain',
    skills: ['excel'],
    endorsedSkills: [],
    startedAt: null,
    completedAt: '2025-11-20T10:00:00.000Z',
  });
  await h.db.query(`UPDATE credentials SET payload = $2, signature = $3, vc_jwt = NULL WHERE id = $1`, [
    credentialId,
    legacy,
    signCredential(legacy, h.config.CREDENTIAL_SECRET),
  ]);
  expect((await call(h.baseUrl, 'GET', `/v1/credentials/${credentialId}`)).body).toMatchObject({
    valid: true,
    badge: { verificationMethod: null },
  });

  const badge = await download(h.baseUrl, credentialId);
  expect(badge.status).toBe(200);
  const { payload } = await verifyWithJwks(h.baseUrl, badge.jwt);
  expect(payload).toMatchObject({
    id: `${PUBLIC_BASE_URL}/c/${credentialId}`,
    validFrom: '2025-11-20T10:00:00Z',
    credentialSubject: { name: 'Bao Tran', achievement: { name: 'Map a supply chain' } },
  });
  expect(JSON.stringify(payload)).not.toContain(student.id);
  expect(JSON.stringify(payload)).not.toContain(internshipId);
  // Kept: the next download is the same JWT, and the view names its key.
  expect((await download(h.baseUrl, credentialId)).jwt).toBe(badge.jwt);
  expect(
    (await call(h.baseUrl, 'GET', `/v1/credentials/${credentialId}`)).body.badge.verificationMethod,
  ).toBe(jose.decodeProtectedHeader(badge.jwt).kid);

  // Someone with access to the database changes the statement: no badge is made, or served, for it.
  const altered = legacy.replace('Map a supply', 'Led a supply');
  await h.db.query(`UPDATE credentials SET payload = $2, vc_jwt = NULL WHERE id = $1`, [
    credentialId,
    altered,
  ]);
  const refused = await call(h.baseUrl, 'GET', `/v1/credentials/${credentialId}/badge`);
  expect(refused.status).toBe(409);
  expect(refused.body.type).toBe('/problems/CredentialDoesNotVerify');
  const { rows } = await h.db.query(`SELECT vc_jwt FROM credentials WHERE id = $1`, [credentialId]);
  expect(rows).toEqual([{ vc_jwt: null }]);
});

test('after a key rotation new credentials carry the new key, and those signed under the old one still verify against the published keys', async () => {
  const { credentialId: before } = await sharedCredential(h, 'Chidi Eze', 'Audit an ad budget');
  const oldBadge = await download(h.baseUrl, before);
  expect(jose.decodeProtectedHeader(oldBadge.jwt).kid).toMatch(/#key-2026-12$/);

  // Rotation as docs/OPERATIONS.md says: the new key first, the old one kept; the processes restart.
  await h.stop();
  h = await started([secondKey, firstKey]);
  const { credentialId: after } = await sharedCredential(h, 'Dana Levi', 'Test a checkout flow');
  const newBadge = await download(h.baseUrl, after);
  expect(jose.decodeProtectedHeader(newBadge.jwt).kid).toMatch(/#key-2027-06$/);

  // A verifier that fetches the keys from the platform, as recruiters' tools do.
  const remote = jose.createRemoteJWKSet(new URL(`${h.baseUrl}/.well-known/jwks.json`));
  for (const badge of [newBadge, oldBadge]) {
    const { payload } = await jose.jwtVerify(badge.jwt, remote, { algorithms: ['EdDSA'], issuer });
    expect((await verifyWithDidWeb(h.baseUrl, badge.jwt)).payload).toEqual(payload);
  }
  expect((await download(h.baseUrl, before)).jwt).toBe(oldBadge.jwt);
  const published = (await (await fetch(`${h.baseUrl}/.well-known/jwks.json`)).json()) as { keys: JWK[] };
  expect(published.keys.map((k) => k.kid!.split('#')[1])).toEqual(
    expect.arrayContaining(['key-2027-06', 'key-2026-12']),
  );
  expect(published.keys[0]!.kid).toMatch(/#key-2027-06$/);
});

test('with no key configured, one is generated at first use and kept in Postgres: every process racing for it gets the same one', async () => {
  const { db } = await freshDatabase(h);
  try {
    const processes = Array.from({ length: 8 }, () => new CredentialKeys(db));
    const ids = await Promise.all(processes.map(async (keys) => (await keys.signingKey()).keyId));
    expect(new Set(ids).size).toBe(1);
    // A process started later, and one configured afterwards, still publish it.
    expect((await signingKeyOrCreate(db, generateEd25519Jwk())).keyId).toBe(ids[0]);
    expect((await new CredentialKeys(db).publicKeys()).map((k) => k.kid)).toEqual([ids[0]]);
    expect((await new CredentialKeys(db, [secondKey]).publicKeys()).map((k) => k.kid)).toEqual([
      'key-2027-06',
      ids[0],
    ]);
  } finally {
    await db.end();
  }
});
