/**
 * A student's own credentials through HTTP (GET /v1/students/me/credentials): every one they hold,
 * private ones too, with what they may share and where (its public page, its badge, and their
 * public portfolio once they list one); nobody else's, and never to an employer or someone signed out.
 */
import { newStudent } from '../helpers/actors';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';
import { sharedCredential } from '../helpers/journeys';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(async () => {
  await h?.stop();
});

const mine = (token: string, query = '') =>
  call(h.baseUrl, 'GET', `/v1/students/me/credentials${query}`, { token });
const share = (token: string, credentialId: string, visibility: string) =>
  call(h.baseUrl, 'PUT', `/v1/credentials/${credentialId}/sharing`, { token, body: { visibility } });

test('a student lists their own credentials, private ones included, with their public page, badge and portfolio; nobody else sees them', async () => {
  // Given Priya's completed micro-internship, its credential shared by link, then made private again
  const { credentialId, student, employer } = await sharedCredential(h, 'Priya Raman', 'Tidy a CRM export');
  expect((await share(student.token, credentialId, 'private')).status).toBe(200);

  // She still finds it, private, with what it states and where it would be seen
  const privately = await mine(student.token);
  expect(privately.status).toBe(200);
  expect(privately.body).toEqual({
    items: [
      {
        credentialId,
        title: 'Tidy a CRM export',
        employer: 'Contoso Analytics',
        completedAt: expect.stringMatching(/Z$/),
        issuedAt: expect.stringMatching(/Z$/),
        visibility: 'private',
        page: expect.stringMatching(new RegExp(`/c/${credentialId}$`)),
        badgeUrl: expect.stringMatching(new RegExp(`/v1/credentials/${credentialId}/badge$`)),
      },
    ],
    nextCursor: null,
    portfolio: null,
  });
  // Private: the addresses it lists answer nobody yet
  for (const address of [privately.body.items[0].page, privately.body.items[0].badgeUrl]) {
    expect((await call(h.baseUrl, 'GET', new URL(address).pathname)).status).toBe(404);
  }

  // Listed in her portfolio: the list names its public address, which answers anyone
  await share(student.token, credentialId, 'portfolio');
  const listed = await mine(student.token);
  expect(listed.body.items[0].visibility).toBe('portfolio');
  expect(listed.body.portfolio).toMatch(new RegExp(`/p/${student.id}$`));
  const portfolio = await call(h.baseUrl, 'GET', `/v1/students/${student.id}/portfolio`);
  expect(portfolio.status).toBe(200);
  expect(portfolio.body.items).toEqual([expect.objectContaining({ credentialId, valid: true })]);
  // The address to share is a page: her name, the credential, a link to its own page
  const page = await fetch(`${h.baseUrl}${new URL(listed.body.portfolio).pathname}`);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  const shown = await page.text();
  expect(shown).toContain(`/c/${credentialId}`);
  expect(shown).toContain('Priya Raman');
  expect(shown).toContain('Tidy a CRM export');
  expect(shown).toContain('Verified');
  expect((await call(h.baseUrl, 'GET', new URL(listed.body.items[0].badgeUrl).pathname)).status).toBe(200);

  // Another student sees none of hers; the employer and someone signed out are refused
  const other = await newStudent(h, 'Tomas Lind');
  expect((await mine(other.token)).body).toEqual({ items: [], nextCursor: null, portfolio: null });
  expect((await mine(employer.token)).status).toBe(403);
  expect((await call(h.baseUrl, 'GET', '/v1/students/me/credentials')).status).toBe(401);

  // A cursor this API did not issue is named as the problem
  const forged = await mine(student.token, '?cursor=not-a-cursor');
  expect(forged.status).toBe(422);
  expect(forged.body.errors).toEqual([{ field: 'query.cursor', message: 'is not a cursor this API issued' }]);
});
