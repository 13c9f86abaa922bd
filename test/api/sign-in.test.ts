/**
 * People, not tokens: sign-up with a confirmation email, sign-in by link or code, sessions that
 * expire, can be listed and revoked, browser sessions with their cookie and CSRF token, and personal
 * API tokens. Every email is read from the real inbox.
 */
import { issueApiToken } from '../../db/tokens';
import { codeFor, newPosting, newEmployer, signIn, staffSession } from '../helpers/actors';
import { uniqueSuffix } from '../helpers/env';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';
import { emailsTo, waitForEmail } from '../helpers/inbox';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(async () => {
  await h?.stop();
});

const profile = (email: string) => ({
  name: 'Rosa Parks',
  email,
  school: 'Tuskegee',
  major: 'Sociology',
  graduationYear: 2027,
  skills: ['excel'],
});
const linkIn = (text: string) => /\/sign-in\/(mil_[A-Za-z0-9_-]{43})/.exec(text)![1]!;
const signInBy = (body: object) => call(h.baseUrl, 'POST', '/v1/auth/sessions', { body });
/** The newest of the address's sign-in emails once there are more than `seen` of them. */
async function nextEmail(address: string, seen: number) {
  for (let i = 0; i < 100; i++) {
    const mails = (await emailsTo(address)).filter((m) => /code|Confirm/.test(m.subject));
    if (mails.length > seen) return mails.at(-1)!;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no new email to ${address}`);
}
const problemOf = (res: { status: number; body: { type?: string } }) => ({
  status: res.status,
  type: res.body.type,
});

test('sign up → confirm by the emailed code → act → sign out → sign in again by link → the old session is refused', async () => {
  const email = `rosa-${uniqueSuffix()}@students.test`;
  const employer = await newEmployer(h);
  const id = await newPosting(h, employer);

  // Before the address is confirmed there is no session: only the public board can be read.
  const signedUp = await call(h.baseUrl, 'POST', '/v1/students', { body: profile(email) });
  expect(signedUp).toMatchObject({ status: 202, body: { status: 'check-your-email' } });
  expect((await call(h.baseUrl, 'GET', '/v1/internships')).status).toBe(200);
  expect((await call(h.baseUrl, 'GET', `/v1/internships/${id}`)).status).toBe(200);
  expect((await call(h.baseUrl, 'POST', `/v1/internships/${id}/applications`, { body: {} })).status).toBe(
    401,
  );

  const confirm = await waitForEmail(email, /Confirm your email: \d{6}/);
  expect(confirm.text).toContain('for 15 minutes');
  const code = /code (\d{6})/.exec(confirm.text)![1]!;
  const session = await signInBy({ email: email.toUpperCase(), code });
  expect(session.status).toBe(201);
  const token = session.body.token as string;
  expect(token).toMatch(/^mis_/);
  const me = await call(h.baseUrl, 'GET', '/v1/me', { token });
  expect(me.body).toMatchObject({
    account: { email, name: 'Rosa Parks', kind: 'student' },
    role: 'student',
    credential: { kind: 'session', id: session.body.sessionId },
    channel: 'api',
  });
  const { rows } = await h.db.query(`SELECT email_verified_at FROM accounts WHERE lower(email) = $1`, [
    email,
  ]);
  expect(rows[0].email_verified_at).not.toBeNull();

  const applied = await call(h.baseUrl, 'POST', `/v1/internships/${id}/applications`, {
    token,
    body: { pitch: 'I keep tidy spreadsheets and explain every step.', answers: ['Excel'] },
  });
  expect(applied.status).toBe(201);

  expect((await call(h.baseUrl, 'POST', '/v1/auth/sign-out', { token })).status).toBe(204);
  expect(problemOf(await call(h.baseUrl, 'GET', '/v1/me', { token }))).toEqual({
    status: 401,
    type: '/problems/CredentialRevoked',
  });

  // Sign in again, by the link this time (an API client posts the link's token).
  expect((await call(h.baseUrl, 'POST', '/v1/auth/sign-in', { body: { email } })).status).toBe(202);
  const mail = await waitForEmail(email, /Your sign-in code/);
  const again = await signInBy({ token: linkIn(mail.text) });
  expect(again.status).toBe(201);
  expect((await call(h.baseUrl, 'GET', '/v1/me', { token: again.body.token })).status).toBe(200);
  // The link is single use, and so is the code that came with it.
  expect(problemOf(await signInBy({ token: linkIn(mail.text) }))).toEqual({
    status: 410,
    type: '/problems/SignInUsed',
  });
  const usedCode = /code (\d{6})/.exec(mail.text)![1]!;
  expect(problemOf(await signInBy({ email, code: usedCode }))).toEqual({
    status: 410,
    type: '/problems/SignInUsed',
  });
});

test('an expired link, a replaced email, five wrong codes (locked), an expired and a revoked session: each refused with a clear problem', async () => {
  const email = `lin-${uniqueSuffix()}@students.test`;
  await call(h.baseUrl, 'POST', '/v1/students', { body: profile(email) });
  const first = await waitForEmail(email, /Confirm your email/);

  // Expired: the link's 15 minutes have passed.
  await h.db.query(
    `UPDATE sign_in_challenges SET expires_at = now() - interval '1 second' WHERE link_hash = sha256($1::bytea)`,
    [Buffer.from(linkIn(first.text))],
  );
  const expired = await signInBy({ token: linkIn(first.text) });
  expect(problemOf(expired)).toEqual({ status: 410, type: '/problems/SignInExpired' });
  expect(expired.body.detail).toMatch(/expired/);

  // A newer email replaces the older one.
  await call(h.baseUrl, 'POST', '/v1/auth/sign-in', { body: { email } });
  const second = await nextEmail(email, 1);
  await call(h.baseUrl, 'POST', '/v1/auth/sign-in', { body: { email } });
  const third = await nextEmail(email, 2);
  expect(problemOf(await signInBy({ token: linkIn(second.text) }))).toEqual({
    status: 410,
    type: '/problems/SignInSuperseded',
  });

  // Five wrong codes lock the email; then even the right code is refused.
  const right = /code (\d{6})/.exec(third.text)![1]!;
  const wrong = right === '000000' ? '111111' : '000000';
  const left: number[] = [];
  for (let i = 0; i < 4; i++) {
    const res = await signInBy({ email, code: wrong });
    expect(problemOf(res)).toEqual({ status: 401, type: '/problems/WrongCode' });
    left.push(res.body.attemptsLeft);
  }
  expect(left).toEqual([4, 3, 2, 1]);
  expect(problemOf(await signInBy({ email, code: wrong }))).toEqual({
    status: 401,
    type: '/problems/SignInLocked',
  });
  expect(problemOf(await signInBy({ email, code: right }))).toEqual({
    status: 401,
    type: '/problems/SignInLocked',
  });

  // A new email works again.
  const token = await signIn(h, email);
  expect((await call(h.baseUrl, 'GET', '/v1/me', { token })).status).toBe(200);

  // Idle for 7 days, or 30 days after sign-in: expired.
  const me = await call(h.baseUrl, 'GET', '/v1/me', { token });
  await h.db.query(`UPDATE sessions SET last_used_at = now() - interval '8 days' WHERE id = $1`, [
    me.body.credential.id,
  ]);
  expect(problemOf(await call(h.baseUrl, 'GET', '/v1/me', { token }))).toEqual({
    status: 401,
    type: '/problems/CredentialExpired',
  });
  const fresh = await signIn(h, email);
  const freshId = (await call(h.baseUrl, 'GET', '/v1/me', { token: fresh })).body.credential.id;
  await h.db.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [freshId]);
  expect((await call(h.baseUrl, 'GET', '/v1/me', { token: fresh })).status).toBe(401);

  // Revoked from another session of the same person.
  const a = await signIn(h, email);
  const b = await signIn(h, email);
  const sessions = await call(h.baseUrl, 'GET', '/v1/me/sessions', { token: a });
  const bId = (await call(h.baseUrl, 'GET', '/v1/me', { token: b })).body.credential.id;
  expect(sessions.body.items.map((s: { id: string }) => s.id)).toContain(bId);
  expect(sessions.body.items.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
  expect((await call(h.baseUrl, 'DELETE', `/v1/me/sessions/${bId}`, { token: a })).status).toBe(204);
  expect(problemOf(await call(h.baseUrl, 'GET', '/v1/me', { token: b }))).toEqual({
    status: 401,
    type: '/problems/CredentialRevoked',
  });
  expect((await call(h.baseUrl, 'GET', '/v1/me', { token: a })).status).toBe(200);
});

test('sign-in answers the same for a registered and an unregistered address, and only the registered one gets an email', async () => {
  const known = `known-${uniqueSuffix()}@students.test`;
  await call(h.baseUrl, 'POST', '/v1/students', { body: profile(known) });
  await waitForEmail(known, /Confirm your email/);
  const unknown = `nobody-${uniqueSuffix()}@students.test`;
  const ask = async (email: string) => {
    const started = performance.now();
    const res = await call(h.baseUrl, 'POST', '/v1/auth/sign-in', { body: { email } });
    return { ms: performance.now() - started, res };
  };
  const times: Record<'known' | 'unknown', number[]> = { known: [], unknown: [] };
  for (let i = 0; i < 8; i++) {
    for (const [which, email] of [
      ['known', known],
      ['unknown', unknown],
    ] as const) {
      const { ms, res } = await ask(email);
      expect(res.status).toBe(202);
      expect(res.body).toEqual({
        status: 'check-your-email',
        detail: 'If this address has an account, a sign-in email with a link and a code is on its way.',
      });
      times[which].push(ms);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  process.stdout.write(
    `sign-in answer, median of 8: known ${median(times.known).toFixed(1)} ms, unknown ${median(times.unknown).toFixed(1)} ms\n`,
  );
  await new Promise((r) => setTimeout(r, 500));
  expect(
    (await (await fetch(`${process.env.MAILDEV_URL}/api/email?to.address=${unknown}`)).json()) as unknown[],
  ).toEqual([]);
  // Ten sign-in emails an hour per address asked for, registered or not: eight asked above, two more.
  expect((await ask(unknown)).res.status).toBe(202);
  expect((await ask(unknown)).res.status).toBe(202);
  const limited = await ask(unknown);
  expect(limited.res.status).toBe(429);
  expect(Number(limited.res.headers.get('retry-after'))).toBeGreaterThan(0);
});

test('the session cookie is Secure when PUBLIC_BASE_URL is https (COOKIE_SECURE by default), and not over http', async () => {
  const behindHttps = await startApiHarness({
    worker: false,
    config: { PUBLIC_BASE_URL: 'https://interns.example' },
  });
  try {
    const employer = await newEmployer(h);
    const cookieFrom = async (api: ApiHarness) => {
      const seen = (await emailsTo(employer.email)).filter((m) => /code|Confirm/.test(m.subject)).length;
      await call(api.baseUrl, 'POST', '/v1/auth/sign-in', { body: { email: employer.email } });
      const code = /code (\d{6})/.exec((await nextEmail(employer.email, seen)).text)![1]!;
      const opened = await call(api.baseUrl, 'POST', '/v1/auth/sessions', {
        body: { email: employer.email, code, client: 'browser' },
      });
      expect(opened.status).toBe(201);
      return opened.headers.getSetCookie().find((c) => c.startsWith('mi_session='))!;
    };
    expect(await cookieFrom(behindHttps)).toMatch(/;\s*Secure/i);
    expect(await cookieFrom(h)).not.toMatch(/Secure/i);
  } finally {
    await behindHttps.stop();
  }
});

test('a browser signs in by the emailed link: the page asks first, the button sets an HttpOnly cookie, and changes need the CSRF token', async () => {
  const employer = await newEmployer(h);
  await call(h.baseUrl, 'POST', '/v1/auth/sign-in', { body: { email: employer.email } });
  const mail = await waitForEmail(employer.email, /Your sign-in code/);
  const url = /Sign in: (\S+)/.exec(mail.text)![1]!;

  // Opening the page (as a mail scanner would) spends nothing.
  const pageRes = await fetch(url);
  expect(pageRes.status).toBe(200);
  const pageHtml = await pageRes.text();
  expect(pageHtml).toContain(`Sign in as ${employer.email}?`);
  const nonce = /name="nonce" value="([^"]+)"/.exec(pageHtml)![1]!;
  const nonceCookie = pageRes.headers
    .getSetCookie()
    .find((c) => c.startsWith('mi_sign_in='))!
    .split(';')[0]!;
  // A form posted from elsewhere (no cookie of our page) signs nobody in.
  const forged = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `nonce=${nonce}`,
    redirect: 'manual',
  });
  expect(forged.status).toBe(403);
  const done = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: nonceCookie },
    body: `nonce=${nonce}`,
    redirect: 'manual',
  });
  expect(done.status).toBe(200);
  const signedInPage = await done.text();
  expect(signedInPage).toContain('You are signed in');
  expect(signedInPage).toContain('<a href="/app">Continue to the web app</a>');
  const sessionCookie = done.headers.getSetCookie().find((c) => c.startsWith('mi_session='))!;
  expect(sessionCookie).toMatch(/HttpOnly/i);
  expect(sessionCookie).toMatch(/SameSite=Lax/i);
  expect(sessionCookie).not.toMatch(/Secure/i); // http://127.0.0.1: Secure only over HTTPS (COOKIE_SECURE)
  const cookie = sessionCookie.split(';')[0]!;

  const me = await call(h.baseUrl, 'GET', '/v1/me', { headers: { cookie } });
  expect(me.body).toMatchObject({ role: 'owner', channel: 'browser' });
  const csrf = me.body.csrfToken as string;
  const post = (headers: Record<string, string>) =>
    call(h.baseUrl, 'PUT', '/v1/me/time-zone', {
      headers: { cookie, ...headers },
      body: { timeZone: 'Europe/Rome' },
    });
  expect((await post({})).status).toBe(403);
  expect((await post({ 'x-csrf-token': 'not-it' })).status).toBe(403);
  expect((await post({ 'x-csrf-token': csrf })).status).toBe(200);
  // Used: the page says so.
  expect((await fetch(url)).status).toBe(410);
});

test('personal API tokens: named, optional expiry, last use recorded, listed without their value, revocable', async () => {
  const employer = await newEmployer(h);
  const created = await call(h.baseUrl, 'POST', '/v1/me/tokens', {
    token: employer.token,
    body: { name: 'ATS integration', expiresAt: new Date(Date.now() + 86_400_000).toISOString() },
  });
  expect(created.status).toBe(201);
  const apiToken = created.body.token as string;
  expect((await call(h.baseUrl, 'GET', '/v1/internships', { token: apiToken })).status).toBe(200);
  const listed = await call(h.baseUrl, 'GET', '/v1/me/tokens', { token: employer.token });
  const item = listed.body.items.find((t: { id: string }) => t.id === created.body.id);
  expect(item).toMatchObject({ name: 'ATS integration', lastUsedAt: expect.any(String) });
  expect(JSON.stringify(listed.body)).not.toContain(apiToken);
  // A token cannot mint tokens, nor sign out a session it is not.
  expect(
    (await call(h.baseUrl, 'POST', '/v1/me/tokens', { token: apiToken, body: { name: 'x' } })).status,
  ).toBe(403);
  expect((await call(h.baseUrl, 'POST', '/v1/auth/sign-out', { token: apiToken })).status).toBe(409);
  expect(
    (
      await call(h.baseUrl, 'POST', '/v1/me/tokens', {
        token: employer.token,
        body: { name: 'x', expiresAt: '2020-01-01T00:00:00Z' },
      })
    ).body.errors[0].field,
  ).toBe('expiresAt');

  // Any offset ISO 8601 allows, also one Postgres would refuse as text (beyond ±15:59): fuzzing found a 500.
  const farOffset = await call(h.baseUrl, 'POST', '/v1/me/tokens', {
    token: employer.token,
    body: { name: 'far offset', expiresAt: '2099-01-01T00:00:00+23:59' },
  });
  expect(farOffset.status).toBe(201);
  expect(farOffset.body.expiresAt).toBe('2098-12-31T00:01:00.000Z');

  expect(
    (await call(h.baseUrl, 'DELETE', `/v1/me/tokens/${created.body.id}`, { token: employer.token })).status,
  ).toBe(204);
  expect(problemOf(await call(h.baseUrl, 'GET', '/v1/internships/x', { token: apiToken }))).toEqual({
    status: 401,
    type: '/problems/CredentialRevoked',
  });

  // An expired token.
  const short = await issueApiToken(h.db, {
    accountId: employer.accountId,
    name: 'short',
    expiresAt: new Date(Date.now() - 1000),
  });
  expect(problemOf(await call(h.baseUrl, 'GET', '/v1/me', { token: short.token }))).toEqual({
    status: 401,
    type: '/problems/CredentialExpired',
  });
});

test('the OPS_TOKEN only creates a staff admin (break-glass), recorded as such; everything else with it is refused', async () => {
  const email = `glass-${uniqueSuffix()}@ops.test`;
  const made = await call(h.baseUrl, 'POST', '/v1/admin/staff', {
    token: h.config.OPS_TOKEN,
    body: { email, role: 'admin' },
  });
  expect(made.status).toBe(201);
  const { rows } = await h.db.query(
    `SELECT actor_role, actor_id, actor_title, action FROM audit_events WHERE subject_id = $1`,
    [made.body.accountId],
  );
  expect(rows).toEqual([
    {
      actor_role: 'break-glass',
      actor_id: null,
      actor_title: 'OPS_TOKEN (break-glass)',
      action: 'staff-added:admin',
    },
  ]);
  for (const [method, path, body] of [
    ['POST', '/v1/admin/staff', { email: `x-${uniqueSuffix()}@ops.test`, role: 'finance' }],
    ['GET', '/v1/admin/staff', undefined],
    ['GET', '/v1/internships', undefined],
    ['POST', '/v1/employers', { companyName: 'Glass Co', contactEmail: 'g@glass.test' }],
  ] as const) {
    expect({
      method,
      path,
      status: (await call(h.baseUrl, method, path, { token: h.config.OPS_TOKEN, body })).status,
    }).toEqual({
      method,
      path,
      status: 403,
    });
  }
  // The admin it made signs in by email like everyone.
  expect(await codeFor(email, /invited/)).toMatch(/^\d{6}$/);
  expect(
    (await call(h.baseUrl, 'GET', '/v1/admin/staff', { token: await staffSession(h, 'support') })).status,
  ).toBe(200);
});
