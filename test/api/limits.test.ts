/**
 * The abuse limits every API process counts together in Postgres (api/limits.ts), per client
 * address and per email: past one, 429 problem+json with Retry-After. The test stack lifts the
 * per-address limits for every other suite (they all call from 127.0.0.1); here an API with small
 * limits is called from addresses of its own, through the X-Forwarded-For the load balancer sets.
 */
import { randomBytes } from 'node:crypto';
import { newEmployer, newPosting, newStudent, samplePosting } from '../helpers/actors';
import { uniqueSuffix } from '../helpers/env';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';

const HOUR = 3600;
const DAY = 24 * HOUR;

let h: ApiHarness;
/** An API with small limits, beside the harness whose helpers sign people up and in from 127.0.0.1. */
let limited: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness();
  limited = await startApiHarness({
    worker: false,
    config: {
      // Its postings run on the first harness's worker.
      TEMPORAL_TASK_QUEUE: h.config.TEMPORAL_TASK_QUEUE,
      SIGN_IN_EMAILS_PER_ADDRESS_PER_HOUR: '2',
      CODE_ATTEMPTS_PER_ADDRESS_PER_HOUR: '2',
      CODE_ATTEMPTS_PER_EMAIL_PER_HOUR: '2',
      APPLICATIONS_PER_ADDRESS_PER_DAY: '2',
      POSTINGS_PER_ADDRESS_PER_DAY: '2',
    },
  });
});
afterAll(async () => {
  await limited?.stop();
  await h?.stop();
});

/** A client address no other request of any suite comes from (IPv6 documentation range). */
const newAddress = () => ({
  'x-forwarded-for': `2001:db8::${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}`,
});
const nobody = () => `nobody-${uniqueSuffix()}@limits.test`;

/** A 429 as a client reads it: a problem naming what was limited, and when to come back. */
function expectLimited(res: Awaited<ReturnType<typeof call>>, what: RegExp, window: number): void {
  expect(res.status).toBe(429);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ type: '/problems/TooManyRequests', status: 429 });
  expect(res.body.detail).toMatch(what);
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(window - 60);
  expect(retryAfter).toBeLessThanOrEqual(window);
}

test('sign-in emails are limited per address, whichever addresses are asked for', async () => {
  const from = newAddress();
  const ask = () =>
    call(limited.baseUrl, 'POST', '/v1/auth/sign-in', { headers: from, body: { email: nobody() } });
  expect((await ask()).status).toBe(202);
  expect((await ask()).status).toBe(202);
  expectLimited(await ask(), /sign-in requests from your network address/, HOUR);
  // Another address is not held back.
  const elsewhere = await call(limited.baseUrl, 'POST', '/v1/auth/sign-in', {
    headers: newAddress(),
    body: { email: nobody() },
  });
  expect(elsewhere.status).toBe(202);
});

test('code attempts are limited per address, whichever emails they name', async () => {
  const from = newAddress();
  const attempt = () =>
    call(limited.baseUrl, 'POST', '/v1/auth/sessions', {
      headers: from,
      body: { email: nobody(), code: '000000' },
    });
  expect((await attempt()).status).toBe(401);
  expect((await attempt()).status).toBe(401);
  expectLimited(await attempt(), /sign-in attempts from your network address/, HOUR);
});

test('code attempts are limited per email per hour, from whichever addresses they come', async () => {
  const email = nobody();
  const attempt = () =>
    call(limited.baseUrl, 'POST', '/v1/auth/sessions', {
      headers: newAddress(),
      body: { email, code: '000000' },
    });
  expect((await attempt()).status).toBe(401);
  expect((await attempt()).status).toBe(401);
  expectLimited(await attempt(), /sign-in attempts for this email/, HOUR);
});

test('applications are limited per address per day, whichever students send them', async () => {
  const employer = await newEmployer(h);
  const id = await newPosting(h, employer);
  const from = newAddress();
  const apply = async (name: string) =>
    call(limited.baseUrl, 'POST', `/v1/internships/${id}/applications`, {
      token: (await newStudent(h, name)).token,
      headers: from,
      body: { pitch: 'I enjoy tidy data and say what I did.', answers: ['Excel'] },
    });
  expect((await apply('Ana Address')).status).toBe(201);
  expect((await apply('Ben Address')).status).toBe(201);
  expectLimited(await apply('Cy Address'), /applications from your network address today/, DAY);
});

test('postings are limited per address per day, whichever organisations send them', async () => {
  const from = newAddress();
  const post = async () =>
    call(limited.baseUrl, 'POST', '/v1/internships', {
      token: (await newEmployer(h)).token,
      headers: from,
      body: samplePosting,
    });
  expect((await post()).status).toBe(201);
  expect((await post()).status).toBe(201);
  expectLimited(await post(), /postings from your network address today/, DAY);
});
