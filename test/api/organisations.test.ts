/**
 * An employer is an organisation of people: the owner invites members by email, every member sees
 * the organisation's postings, emails about a posting go to the member who posted it (and money
 * emails to the billing contact too), and removing a member ends their sessions, API tokens and
 * email links at once.
 */
import {
  applyAs,
  newEmployer,
  newPosting,
  newStudent,
  sessionFromInbox,
  waitForStatus,
} from '../helpers/actors';
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

async function invite(
  owner: { id: string; token: string },
  role: 'admin' | 'member' | 'owner',
  name: string,
) {
  const email = `${name.toLowerCase().split(' ')[0]}-${uniqueSuffix()}@acme.test`;
  const res = await call(h.baseUrl, 'POST', `/v1/employers/${owner.id}/members`, {
    token: owner.token,
    body: { email, name, role },
  });
  expect(res.status).toBe(201);
  const mail = await waitForEmail(email, /You are invited to Acme Analytics/);
  expect(mail.text).toContain(`to join Acme Analytics as ${role}`);
  expect(mail.text).toContain('for 7 days');
  return {
    email,
    accountId: res.body.accountId as string,
    token: await sessionFromInbox(h, email, /invited/),
  };
}

test("a member's posting is every member's; its emails go to the member who posted it, money emails to the billing contact too", async () => {
  const owner = await newEmployer(h);
  const mia = await invite(owner, 'member', 'Mia Member');
  const members = await call(h.baseUrl, 'GET', `/v1/employers/${owner.id}/members`, { token: mia.token });
  expect(members.body.items.map((m: { role: string; joined: boolean }) => [m.role, m.joined])).toEqual([
    ['owner', true],
    ['member', true],
  ]);

  // Mia posts; the owner sees it and may act on it.
  const id = await newPosting(h, { id: owner.id, token: mia.token, email: mia.email });
  expect((await call(h.baseUrl, 'GET', `/v1/internships/${id}`, { token: owner.token })).status).toBe(200);
  const listed = await call(h.baseUrl, 'GET', '/v1/internships', { token: owner.token });
  expect(listed.body.items.map((i: { id: string }) => i.id)).toContain(id);
  // Another organisation: not found.
  const other = await newEmployer(h, 'Other Co');
  expect((await call(h.baseUrl, 'GET', `/v1/internships/${id}`, { token: other.token })).status).toBe(404);

  const student = await newStudent(h, 'Tess Moreau');
  const { body } = await applyAs(h, student, id);
  await call(h.baseUrl, 'POST', `/v1/internships/${id}/selection`, {
    token: owner.token,
    body: { applicationIds: [body.applicationId] },
  });
  await waitForStatus(h, owner, id, 'Offered');
  await call(h.baseUrl, 'POST', `/v1/internships/${id}/offer-response`, {
    token: student.token,
    body: { accept: true },
  });
  await waitForStatus(h, owner, id, 'InProgress');

  // The profile of the hired student goes to the poster; the charge to the poster and to billing.
  await waitForEmail(mia.email, /accepted: meet your student/);
  const charged = await waitForEmail(mia.email, /has started/);
  expect(charged.text).toContain('Your payment of $250.00 is held');
  const billing = await waitForEmail(owner.email, /has started/);
  expect(billing.text).toBe(charged.text);
  expect((await emailsTo(owner.email)).some((e) => /meet your student/.test(e.subject))).toBe(false);
});

test('owners and admins invite and remove; an admin cannot make or remove an owner; the last owner stays', async () => {
  const owner = await newEmployer(h);
  const adam = await invite(owner, 'admin', 'Adam Admin');
  const admin = { id: owner.id, token: adam.token };
  const memberByAdmin = await call(h.baseUrl, 'POST', `/v1/employers/${owner.id}/members`, {
    token: admin.token,
    body: { email: `m-${uniqueSuffix()}@acme.test`, role: 'member' },
  });
  expect(memberByAdmin.status).toBe(201);
  expect(
    (
      await call(h.baseUrl, 'POST', `/v1/employers/${owner.id}/members`, {
        token: admin.token,
        body: { email: `o-${uniqueSuffix()}@acme.test`, role: 'owner' },
      })
    ).status,
  ).toBe(403);
  const ownerId = (await call(h.baseUrl, 'GET', '/v1/me', { token: owner.token })).body.account.id;
  expect(
    (await call(h.baseUrl, 'DELETE', `/v1/employers/${owner.id}/members/${ownerId}`, { token: admin.token }))
      .status,
  ).toBe(403);
  const last = await call(h.baseUrl, 'DELETE', `/v1/employers/${owner.id}/members/${ownerId}`, {
    token: owner.token,
  });
  expect(last.status).toBe(409);
  expect(last.body.type).toBe('/problems/LastOwner');
  // Already a member; an address with another kind of account.
  const student = await newStudent(h, 'Stu Dent');
  for (const email of [adam.email, student.email]) {
    const again = await call(h.baseUrl, 'POST', `/v1/employers/${owner.id}/members`, {
      token: owner.token,
      body: { email, role: 'member' },
    });
    expect(again.status).toBe(409);
  }
});

test('removing a member ends their sessions, API tokens and email links at once; they can be invited back', async () => {
  const owner = await newEmployer(h);
  const rae = await invite(owner, 'member', 'Rae Removed');
  const apiToken = (
    await call(h.baseUrl, 'POST', '/v1/me/tokens', { token: rae.token, body: { name: 'script' } })
  ).body.token as string;
  // Rae posts; a student applies; the expiry of applications later would email Rae. A decision link
  // to Rae: the posting's selection is made, and the student's extension request reaches Rae.
  const id = await newPosting(h, { id: owner.id, token: rae.token, email: rae.email });
  const student = await newStudent(h, 'Eve Extension');
  const { body } = await applyAs(h, student, id);
  await call(h.baseUrl, 'POST', `/v1/internships/${id}/selection`, {
    token: rae.token,
    body: { applicationIds: [body.applicationId] },
  });
  await waitForStatus(h, owner, id, 'Offered');
  await call(h.baseUrl, 'POST', `/v1/internships/${id}/offer-response`, {
    token: student.token,
    body: { accept: true },
  });
  await waitForStatus(h, owner, id, 'InProgress');
  const due = (await call(h.baseUrl, 'GET', `/v1/internships/${id}`, { token: owner.token })).body.deadlines
    .due;
  await call(h.baseUrl, 'POST', `/v1/internships/${id}/extension-requests`, {
    token: student.token,
    body: { newDueAt: new Date(Date.parse(due) + 3 * 86_400_000).toISOString(), reason: 'Exams this week' },
  });
  const ask = await waitForEmail(rae.email, /asks for more time/);
  const approve = /Approve[^:]*: (\S+)/.exec(ask.text)![1]!;

  expect(
    (
      await call(h.baseUrl, 'DELETE', `/v1/employers/${owner.id}/members/${rae.accountId}`, {
        token: owner.token,
      })
    ).status,
  ).toBe(204);
  for (const token of [rae.token, apiToken]) {
    expect((await call(h.baseUrl, 'GET', '/v1/me', { token })).body.type).toBe('/problems/CredentialRevoked');
  }
  const clicked = await fetch(approve, { method: 'POST' });
  expect(clicked.status).toBe(403);
  expect(await clicked.text()).toContain('no longer a member');
  // Rae's posting stays the organisation's; its emails now go to the billing contact.
  expect((await call(h.baseUrl, 'GET', `/v1/internships/${id}`, { token: owner.token })).status).toBe(200);
  // The audit trail names who removed whom.
  const { rows } = await h.db.query(
    `SELECT actor_title, organisation_id, action FROM audit_events WHERE subject_id = $1 ORDER BY at`,
    [rae.accountId],
  );
  expect(rows.map((r) => `${r.action} by ${r.actor_title}`)).toEqual(
    expect.arrayContaining(['member-invited:member by owner', 'member-removed by owner']),
  );
  // Invited back, Rae can sign in again.
  const back = await call(h.baseUrl, 'POST', `/v1/employers/${owner.id}/members`, {
    token: owner.token,
    body: { email: rae.email, role: 'member' },
  });
  expect(back.status).toBe(201);
  const token = await sessionFromInbox(h, rae.email, /invited/);
  expect((await call(h.baseUrl, 'GET', '/v1/me', { token })).body.role).toBe('member');
});
