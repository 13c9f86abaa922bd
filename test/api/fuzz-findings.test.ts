/**
 * What the fuzzer (scripts/prove/fuzz.ts) found, kept found: inputs that reached Postgres and failed
 * there (a 500), and answers the OpenAPI document did not list.
 */
import { randomUUID } from 'node:crypto';
import { insertPendingApplication } from '../../db/applications';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';
import { newEmployer, newPosting, newStudent, samplePosting, staffSession } from '../helpers/actors';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness({ worker: false });
});
afterAll(async () => {
  await h?.stop();
});

const student = (change: object) => ({
  name: 'Nul Tester',
  email: `nul-${Date.now()}-${Math.random().toString(36).slice(2)}@students.test`,
  major: 'Economics',
  graduationYear: 2027,
  skills: ['excel'],
  ...change,
});

test('a NUL character in a text field is a 422 naming the field, not a failed insert', async () => {
  for (const [change, field] of [
    [{ name: 'Nul\u0000Tester' }, 'name'],
    [{ skills: ['excel', 's\u0000ql'] }, 'skills.1'],
  ] as const) {
    const res = await call(h.baseUrl, 'POST', '/v1/students', { body: student(change) });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body.errors).toContainEqual({ field, message: expect.stringMatching(/NUL/) });
  }
  const employer = await newEmployer(h);
  const res = await call(h.baseUrl, 'POST', '/v1/internships', {
    token: employer.token,
    body: { ...samplePosting, description: `${samplePosting.description}\u0000` },
  });
  expect(res.status).toBe(422);
  expect(res.body.errors).toEqual([{ field: 'description', message: expect.stringMatching(/NUL/) }]);
});

test('a NUL character in the skill filter is a 422 for query.skill', async () => {
  const res = await call(h.baseUrl, 'GET', '/v1/internships?skill=sq%00l', {
    token: await staffSession(h, 'admin'),
  });
  expect(res.status).toBe(422);
  expect(res.body.errors).toEqual([{ field: 'query.skill', message: expect.stringMatching(/NUL/) }]);
});

test('a cursor the API did not issue is a 422, whatever Date.parse thinks of it', async () => {
  const forged = [
    ['1', '00000000-0000-0000-0000-000000000000'], // Date.parse('1') is 2001; Postgres refuses '1'
    ['-271821-04-20T00:00:00.000Z', '00000000-0000-0000-0000-000000000000'], // out of Postgres' range
    ['2024-02-30T00:00:00.000Z', '00000000-0000-0000-0000-000000000000'], // no such day
    ['2026-01-01T00:00:00.000Z', '------------------------------------'], // not a uuid
  ];
  for (const value of forged) {
    const cursor = Buffer.from(JSON.stringify(value)).toString('base64url');
    const res = await call(h.baseUrl, 'GET', `/v1/internships?cursor=${cursor}`, {
      token: await staffSession(h, 'admin'),
    });
    expect({ value, status: res.status }).toEqual({ value, status: 422 });
    expect(res.body.errors).toEqual([{ field: 'query.cursor', message: 'is not a cursor this API issued' }]);
  }
});

test('the answers to a body that is not JSON, or no body at all, are in the spec', async () => {
  const spec = (await call(h.baseUrl, 'GET', '/openapi.json')).body;
  const notJson = await call(h.baseUrl, 'POST', '/v1/employers', {
    token: await staffSession(h, 'admin'),
    rawBody: '"just a string"',
  });
  expect(notJson.status).toBe(400);
  expect(notJson.body.errors).toEqual([{ field: 'body', message: 'is not valid JSON' }]);
  expect(spec.paths['/v1/employers'].post.responses).toHaveProperty('400');

  const employer = await newEmployer(h);
  const id = await newPosting(h, employer);
  const noBody = await call(h.baseUrl, 'POST', `/v1/internships/${id}/cancel`, { token: employer.token });
  expect(noBody.status).toBe(422);
  expect(noBody.body.errors).toEqual([{ field: 'body', message: expect.any(String) }]);
  expect(spec.paths['/v1/internships/{id}/cancel'].post.responses).toHaveProperty('422');

  // Every operation with a JSON body lists 400, 413 and 422; every action on an internship lists
  // 422 for a malformed Idempotency-Key and 409 for an internship that has ended (posting one: 409
  // for a request with the same key in progress); every route with an id lists 404.
  for (const [path, item] of Object.entries(spec.paths as Record<string, Record<string, any>>)) {
    if (!path.startsWith('/v1/')) continue;
    for (const [method, operation] of Object.entries(item)) {
      const statuses = Object.keys(operation.responses);
      const where = `${method.toUpperCase()} ${path}`;
      if (operation.requestBody)
        expect({ where, statuses }).toEqual({
          where,
          statuses: expect.arrayContaining(['400', '413', '422']),
        });
      if (operation.parameters?.some((p: { name: string }) => p.name === 'Idempotency-Key')) {
        expect({ where, statuses }).toEqual({ where, statuses: expect.arrayContaining(['409', '422']) });
      }
      if (path.includes('{'))
        expect({ where, statuses }).toEqual({ where, statuses: expect.arrayContaining(['404']) });
      expect({ where, statuses }).toEqual({ where, statuses: expect.arrayContaining(['503']) });
    }
  }
});

test('an action on an internship whose workflow has ended is a 409, and the spec says so', async () => {
  const spec = (await call(h.baseUrl, 'GET', '/openapi.json')).body;
  const employer = await newEmployer(h);
  const student = await newStudent(h, 'Late Answer');
  const id = await newPosting(h, employer);
  // Cancelled with the kill fee, expired, closed …: the workflow is gone, the read model stays.
  await h.temporal.workflow.getHandle(`internship:${id}`).terminate('ended for the test');
  // offer-response is answered from Postgres unless the caller was offered the place: make it so.
  const applicationId = randomUUID();
  await insertPendingApplication(h.db, {
    id: applicationId,
    internshipId: id,
    studentId: student.id,
    pitch: 'I was offered this one.',
    answers: [],
  });
  await h.db.query(`UPDATE applications SET status = 'offered' WHERE id = $1`, [applicationId]);
  for (const [path, token, body] of [
    ['offer-response', student.token, { accept: true }],
    ['hiring-offer/response', student.token, { accept: false }],
  ] as const) {
    // hiring-offer/response looks for the hired student first: make this student the one.
    await h.db.query('UPDATE internships SET student_id = $2 WHERE id = $1', [id, student.id]);
    const res = await call(h.baseUrl, 'POST', `/v1/internships/${id}/${path}`, { token, body });
    expect({ path, status: res.status }).toEqual({ path, status: 409 });
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(spec.paths[`/v1/internships/{id}/${path}`].post.responses).toHaveProperty('409');
  }
});
