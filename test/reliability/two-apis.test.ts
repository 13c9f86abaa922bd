/**
 * Two API processes side by side on one Postgres, as replicas behind a load balancer: a session
 * revoked through one is refused by the other on the next request, and an abuse limit counts the
 * requests made to both.
 */
import { freePort } from '../../scripts/stack/processes';
import { sessionFromInbox } from '../helpers/actors';
import { uniqueSuffix } from '../helpers/env';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';
import { startApiProcess } from '../helpers/worker-process';

let h: ApiHarness;
const apis: { url: string; stop: () => Promise<void> }[] = [];
beforeAll(async () => {
  h = await startApiHarness();
  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    const api = await startApiProcess(h, port, { LOG_LEVEL: 'warn', SIGN_IN_EMAILS_PER_EMAIL_PER_HOUR: '4' });
    apis.push({ url: `http://127.0.0.1:${port}`, stop: () => api.stop() });
  }
}, 90_000);
afterAll(async () => {
  await Promise.all(apis.map((a) => a.stop()));
  await h?.stop();
});

test('a session opened through one API and revoked through it is refused by the other on its next request', async () => {
  const [a, b] = apis as [(typeof apis)[0], (typeof apis)[0]];
  const email = `twin-${uniqueSuffix()}@students.test`;
  const signedUp = await call(a.url, 'POST', '/v1/students', {
    body: { name: 'Tia Twin', email, major: 'Physics', graduationYear: 2027, skills: ['python'] },
  });
  expect(signedUp.status).toBe(202);
  const token = await sessionFromInbox({ ...h, baseUrl: a.url }, email, /Confirm your email/);
  expect((await call(b.url, 'GET', '/v1/me', { token })).status).toBe(200);

  expect((await call(a.url, 'POST', '/v1/auth/sign-out', { token })).status).toBe(204);
  const refused = await call(b.url, 'GET', '/v1/me', { token });
  expect({ status: refused.status, type: refused.body.type }).toEqual({
    status: 401,
    type: '/problems/CredentialRevoked',
  });
});

test('sign-in emails for one address are counted across both APIs: the fifth, to either, is refused', async () => {
  const email = `count-${uniqueSuffix()}@students.test`;
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) {
    const api = apis[i % 2]!;
    statuses.push((await call(api.url, 'POST', '/v1/auth/sign-in', { body: { email } })).status);
  }
  expect(statuses).toEqual([202, 202, 202, 202, 429]);
  // Either API refuses it now.
  expect((await call(apis[1]!.url, 'POST', '/v1/auth/sign-in', { body: { email } })).status).toBe(429);
});
