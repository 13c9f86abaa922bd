/**
 * Nothing in use breaks: tokens issued before accounts existed (a student's sign-up token, an
 * employer's token from ops) are, after the migration, the API tokens of their owners. A database
 * is built at the schema before people and sessions, filled as that version did, then migrated.
 */
import { createHash, randomUUID } from 'node:crypto';
import { migrate } from '../../db/migrate';
import type { Db } from '../../db/pool';
import { apiOver, freshDatabase } from '../helpers/fresh-database';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';

/** Migrations before the one that brought people, sessions and organisations. */
const BEFORE_PEOPLE = 12;

let h: ApiHarness;
let legacyDb: Db;
let api: { baseUrl: string; stop: () => Promise<void> };
let baseUrl: string;
const hash = (token: string) => createHash('sha256').update(token, 'utf8').digest();
const studentToken = `mi_${'s'.repeat(43)}`;
const employerToken = `mi_${'e'.repeat(43)}`;
const revokedToken = `mi_${'r'.repeat(43)}`;
const studentId = randomUUID();
const employerId = randomUUID();

beforeAll(async () => {
  h = await startApiHarness({ worker: false });
  const database = await freshDatabase(h, BEFORE_PEOPLE);
  legacyDb = database.db;
  // As the older API wrote them.
  await legacyDb.query(
    `INSERT INTO employers (id, company_name, contact_name, contact_email) VALUES ($1, 'Old Co', 'Olga Old', 'olga@old.test')`,
    [employerId],
  );
  await legacyDb.query(
    `INSERT INTO students (id, name, email, major, graduation_year, skills) VALUES ($1, 'Sam Old', 'sam@old.test', 'History', 2026, '{history}')`,
    [studentId],
  );
  await legacyDb.query(
    `INSERT INTO api_tokens (token_hash, role, subject_id) VALUES ($1, 'student', $2), ($3, 'employer', $4), ($5, 'student', $2)`,
    [hash(studentToken), studentId, hash(employerToken), employerId, hash(revokedToken)],
  );
  await legacyDb.query(`UPDATE api_tokens SET revoked_at = now() WHERE token_hash = $1`, [
    hash(revokedToken),
  ]);
  await migrate(database.url);
  api = await apiOver(h, database);
  baseUrl = api.baseUrl;
}, 60_000);
afterAll(async () => {
  await api?.stop();
  await h?.stop();
});

test("a student's sign-up token from before is their API token: same student, email confirmed", async () => {
  const me = await call(baseUrl, 'GET', '/v1/me', { token: studentToken });
  expect(me.status).toBe(200);
  expect(me.body).toMatchObject({
    account: { id: studentId, email: 'sam@old.test', name: 'Sam Old', kind: 'student' },
    role: 'student',
    credential: { kind: 'api-token' },
  });
  const tokens = await call(baseUrl, 'GET', '/v1/me/tokens', { token: studentToken });
  expect(tokens.body.items).toEqual([
    expect.objectContaining({ name: 'Issued at sign-up', expiresAt: null }),
  ]);
});

test("an employer's token from before belongs to the organisation's owner: its contact, who can sign in by email", async () => {
  const me = await call(baseUrl, 'GET', '/v1/me', { token: employerToken });
  expect(me.status).toBe(200);
  expect(me.body).toMatchObject({
    account: { email: 'olga@old.test', name: 'Olga Old', kind: 'member' },
    role: 'owner',
    organisation: { id: employerId, companyName: 'Old Co' },
  });
  const members = await call(baseUrl, 'GET', `/v1/employers/${employerId}/members`, { token: employerToken });
  expect(members.body.items).toEqual([
    expect.objectContaining({ email: 'olga@old.test', role: 'owner', joined: true }),
  ]);
});

test('a token revoked before stays refused', async () => {
  expect((await call(baseUrl, 'GET', '/v1/me', { token: revokedToken })).status).toBe(401);
});
