/**
 * Operations staff are people with roles, on a database of their own so that the staff table starts
 * empty: the break-glass OPS_TOKEN makes the first admin; admins add and remove staff; support
 * reads and changes nothing; removing someone ends their sessions; the last admin stays.
 */
import { codeFor } from '../helpers/actors';
import { uniqueSuffix } from '../helpers/env';
import { apiOver, freshDatabase } from '../helpers/fresh-database';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';

let h: ApiHarness;
let api: { baseUrl: string; stop: () => Promise<void> };
beforeAll(async () => {
  h = await startApiHarness({ worker: false });
  api = await apiOver(h, await freshDatabase(h));
}, 60_000);
afterAll(async () => {
  await api?.stop();
  await h?.stop();
});

/** Adds a staff member and signs them in with the code of their invitation. */
async function addStaff(token: string, role: 'support' | 'finance' | 'admin') {
  const email = `${role}-${uniqueSuffix()}@ops.test`;
  const added = await call(api.baseUrl, 'POST', '/v1/admin/staff', {
    token,
    body: { email, name: `${role} person`, role },
  });
  expect(added.status).toBe(201);
  const code = await codeFor(email, /invited/);
  const session = await call(api.baseUrl, 'POST', '/v1/auth/sessions', { body: { email, code } });
  return { id: added.body.accountId as string, token: session.body.token as string };
}

test('the first admin by break-glass; admins manage staff; support reads only; the last admin stays', async () => {
  const first = await addStaff(h.config.OPS_TOKEN, 'admin');
  const support = await addStaff(first.token, 'support');
  const finance = await addStaff(first.token, 'finance');

  const list = await call(api.baseUrl, 'GET', '/v1/admin/staff', { token: support.token });
  expect(list.body.items.map((s: { role: string }) => s.role)).toEqual(['admin', 'support', 'finance']);
  for (const token of [support.token, finance.token]) {
    expect(
      (
        await call(api.baseUrl, 'POST', '/v1/admin/staff', {
          token,
          body: { email: `x-${uniqueSuffix()}@ops.test`, role: 'support' },
        })
      ).status,
    ).toBe(403);
  }
  const supportWrite = await call(api.baseUrl, 'POST', '/v1/employers', {
    token: support.token,
    body: { companyName: 'Nope Co', contactEmail: 'n@nope.test' },
  });
  expect(supportWrite.status).toBe(403);
  expect(supportWrite.body.detail).toMatch(/Support staff read/);

  // The only admin cannot remove themselves; with a second admin they can.
  const last = await call(api.baseUrl, 'DELETE', `/v1/admin/staff/${first.id}`, { token: first.token });
  expect({ status: last.status, type: last.body.type }).toEqual({ status: 409, type: '/problems/LastAdmin' });
  const second = await addStaff(first.token, 'admin');
  expect(
    (await call(api.baseUrl, 'DELETE', `/v1/admin/staff/${first.id}`, { token: second.token })).status,
  ).toBe(204);
  expect((await call(api.baseUrl, 'GET', '/v1/me', { token: first.token })).status).toBe(401);
  // An address that is already staff.
  const again = await call(api.baseUrl, 'POST', '/v1/admin/staff', {
    token: second.token,
    body: { email: list.body.items[1].email, role: 'finance' },
  });
  expect(again.status).toBe(409);
});
