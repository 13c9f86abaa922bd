/**
 * Operations staff sign in through the company's identity provider: a real OpenID Provider process
 * (oidc-provider, scripts/stack/oidc.ts), the authorization code flow with PKCE through our API, a
 * browser session cookie at the end. A finance person signed in that way resolves a dispute, and the
 * audit row names them.
 */
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../scripts/stack/processes';
import { startOidcProvider, type OidcProviderService } from '../../scripts/stack/oidc';
import { adoptStaffToken, offerThroughApi, waitForStatus } from '../helpers/actors';
import { uniqueSuffix } from '../helpers/env';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';
import { emailsTo, waitForEmail } from '../helpers/inbox';
import { signInAtProvider } from '../helpers/oidc-login';

let h: ApiHarness;
let provider: OidcProviderService;
const tag = uniqueSuffix();
const people = {
  admin: { sub: `ada-${tag}`, email: `ada-${tag}@company.test`, name: 'Ada Admin' },
  finance: { sub: `fin-${tag}`, email: `fin-${tag}@company.test`, name: 'Fin Ance' },
  stranger: { sub: `eve-${tag}`, email: `eve-${tag}@company.test`, name: 'Eve Elsewhere' },
};

beforeAll(async () => {
  const port = await freePort();
  const oidc = { clientId: 'micro-internships', clientSecret: `secret-${tag}-0123456789` };
  h = await startApiHarness({
    config: {
      OIDC_ISSUER: `http://127.0.0.1:${port}`,
      OIDC_CLIENT_ID: oidc.clientId,
      OIDC_CLIENT_SECRET: oidc.clientSecret,
      OIDC_ALLOW_HTTP: 'true',
    },
  });
  provider = await startOidcProvider({
    port,
    ...oidc,
    redirectUris: [`${h.baseUrl}/auth/oidc/callback`],
    accounts: Object.values(people),
    logFile: path.join(os.tmpdir(), `oidc-provider-${tag}.log`),
  });
}, 60_000);
afterAll(async () => {
  await provider?.stop();
  await h?.stop();
});

/** A browser at our API: start, the provider's sign-in page, back with the code; its cookies. */
async function signInThroughProvider(login: string) {
  const start = await fetch(`${h.baseUrl}/auth/oidc/start`, { redirect: 'manual' });
  expect(start.status).toBe(302);
  const stateCookie = start.headers
    .getSetCookie()
    .find((c) => c.startsWith('mi_oidc_state='))!
    .split(';')[0]!;
  const back = await signInAtProvider(start.headers.get('location')!, login);
  expect(back.startsWith(`${h.baseUrl}/auth/oidc/callback?`)).toBe(true);
  const done = await fetch(back, { headers: { cookie: stateCookie }, redirect: 'manual' });
  const session = done.headers.getSetCookie().find((c) => c.startsWith('mi_session='));
  return { status: done.status, page: await done.text(), cookie: session?.split(';')[0], back, stateCookie };
}

async function csrfOf(cookie: string): Promise<string> {
  return (await call(h.baseUrl, 'GET', '/v1/me', { headers: { cookie } })).body.csrfToken as string;
}

test('staff sign in through the identity provider; a finance person resolves a dispute and the audit trail names them', async () => {
  // The first admin: break-glass, then the identity provider (staff do not sign in by email here).
  const made = await call(h.baseUrl, 'POST', '/v1/admin/staff', {
    token: h.config.OPS_TOKEN,
    body: { email: people.admin.email, name: people.admin.name, role: 'admin' },
  });
  expect(made.status).toBe(201);
  const told = await waitForEmail(people.admin.email, /company account/);
  expect(told.text).toContain('/auth/oidc/start');
  expect(told.text).not.toMatch(/code \d{6}/);

  const admin = await signInThroughProvider(people.admin.sub);
  expect(admin.status).toBe(200);
  expect(admin.page).toContain('Signed in as Ada Admin (admin)');
  const adminMe = await call(h.baseUrl, 'GET', '/v1/me', { headers: { cookie: admin.cookie! } });
  expect(adminMe.body).toMatchObject({
    role: 'admin',
    channel: 'browser',
    account: { email: people.admin.email },
  });

  // The admin adds a finance person from the browser session (with its CSRF token).
  const added = await call(h.baseUrl, 'POST', '/v1/admin/staff', {
    headers: { cookie: admin.cookie!, 'x-csrf-token': await csrfOf(admin.cookie!) },
    body: { email: people.finance.email, name: people.finance.name, role: 'finance' },
  });
  expect(added.status).toBe(201);
  const finance = await signInThroughProvider(people.finance.sub);
  expect(finance.page).toContain('(finance)');
  // The admin's integration token, for the helpers that set up an employer below.
  const integration = await call(h.baseUrl, 'POST', '/v1/me/tokens', {
    headers: { cookie: admin.cookie!, 'x-csrf-token': await csrfOf(admin.cookie!) },
    body: { name: 'test setup' },
  });
  adoptStaffToken(h, 'admin', integration.body.token as string);
  const financeId = added.body.accountId as string;

  // Staff asking for an email sign-in are pointed at the identity provider instead.
  const before = (await emailsTo(people.finance.email)).length;
  await call(h.baseUrl, 'POST', '/v1/auth/sign-in', { body: { email: people.finance.email } });
  for (let i = 0; i < 100 && (await emailsTo(people.finance.email)).length === before; i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const pointed = (await emailsTo(people.finance.email)).at(-1)!;
  expect(pointed.subject).toMatch(/company account/);
  expect((await emailsTo(people.finance.email)).some((e) => /sign-in code/.test(e.subject))).toBe(false);

  // A dispute: hired, two rounds of changes, then rejected.
  const { employer, student, id } = await offerThroughApi(h);
  await call(h.baseUrl, 'POST', `/v1/internships/${id}/offer-response`, {
    token: student.token,
    body: { accept: true },
  });
  for (const decision of ['request_changes', 'request_changes', 'reject']) {
    await waitForStatus(h, employer, id, 'InProgress', 30_000);
    await call(h.baseUrl, 'POST', `/v1/internships/${id}/submissions`, {
      token: student.token,
      body: { url: 'https://example.com/work', notes: 'Here it is.' },
    });
    await waitForStatus(h, employer, id, 'InReview');
    await call(h.baseUrl, 'POST', `/v1/internships/${id}/review`, {
      token: employer.token,
      body: { decision, comments: 'Not what we asked for.' },
    });
  }
  await waitForStatus(h, employer, id, 'Disputed');

  const resolved = await call(h.baseUrl, 'POST', `/v1/admin/internships/${id}/resolution`, {
    headers: { cookie: finance.cookie!, 'x-csrf-token': await csrfOf(finance.cookie!) },
    body: { studentSharePct: 40 },
  });
  expect(resolved.status).toBe(202);
  const view = await call(h.baseUrl, 'GET', `/v1/internships/${id}`, { headers: { cookie: admin.cookie! } });
  const resolution = (view.body.auditTrail as { action: string; actor: object; channel: string }[]).find(
    (e) => e.action === 'resolveDispute',
  );
  expect(resolution).toMatchObject({
    actor: { role: 'ops', id: financeId, title: 'finance', organisationId: null },
    channel: 'browser',
  });
  const { rows } = await h.db.query(
    `SELECT actor_id, actor_title, channel, action FROM audit_events WHERE subject_id = $1 AND action = 'sign-in:oidc'`,
    [financeId],
  );
  expect(rows).toEqual([
    { actor_id: financeId, actor_title: 'finance', channel: 'browser', action: 'sign-in:oidc' },
  ]);
}, 120_000);

test('someone the provider knows but who is not staff is refused; a return without this browser’s state is refused', async () => {
  const stranger = await signInThroughProvider(people.stranger.sub);
  expect(stranger.status).toBe(403);
  expect(stranger.page).toContain('No staff account');
  expect(stranger.cookie).toBeUndefined();

  // A callback URL replayed in another browser (no state cookie): nothing happens.
  const start = await fetch(`${h.baseUrl}/auth/oidc/start`, { redirect: 'manual' });
  const back = await signInAtProvider(start.headers.get('location')!, people.admin.sub);
  const elsewhere = await fetch(back, { redirect: 'manual' });
  expect(elsewhere.status).toBe(403);
  expect(elsewhere.headers.getSetCookie().some((c) => c.startsWith('mi_session='))).toBe(false);
});
