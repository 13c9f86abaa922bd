/**
 * Properties of the request schemas (api/schemas.ts), with fast-check: every generated valid body
 * parses; a body with one field made wrong — another type, out of range, too long or short, a NUL
 * character, a key the schema does not know — is refused with an error naming that field. Then the
 * same over HTTP: whatever JSON arrives on a POST route, the answer is never a 5xx, and a 422 is a
 * problem+json whose `errors` name fields.
 */
import fc from 'fast-check';
import type { z } from 'zod';
import { fieldErrorsOf } from '../../api/problem';
import {
  applyBody,
  cancelBody,
  createEmployerBody,
  createInternshipBody,
  createStudentBody,
  extensionDecisionBody,
  extensionRequestBody,
  feeExceptionBody,
  feedbackBody,
  hiringOfferBody,
  listInternshipsQuery,
  missedDeadlineDecisionBody,
  offerResponseBody,
  resolutionBody,
  reviewBody,
  selectionBody,
  submissionBody,
} from '../../api/schemas';
import { INTERNSHIP_STATUSES } from '../../workflows/definitions';
import { newEmployer, newPosting, newStudent, staffSession } from '../helpers/actors';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';

const MIN_HOURLY_RATE_CENTS = 2000;

// --- generators of valid values ---

/** Code points, as zod (and Postgres' char_length) count a string's length. */
const length = (s: string) => [...s].length;
/** Control characters a field of prose may not hold (it keeps tabs and line breaks). */
// eslint-disable-next-line no-control-regex
const NOT_PROSE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
/** What a one-line field may not hold: every control character and the Unicode line separators. */
// eslint-disable-next-line no-control-regex
const NOT_ONE_LINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
/** Text of `min`..`max` characters once trimmed, any Unicode but `refused`, with spaces around it sometimes. */
const anyText = (refused: RegExp, pads: string[]) => (min: number, max: number) =>
  fc
    .tuple(
      fc.string({ unit: 'binary', minLength: min, maxLength: Math.max(min, Math.min(max, 60)) }),
      fc.constantFrom(...pads),
    )
    .map(([s, pad]) => `${pad}${s.replace(refused, '·')}${pad}`)
    .filter((s) => length(s.trim()) >= min && length(s.trim()) <= max);
/** Prose: a pitch, notes, a reason. */
const text = anyText(NOT_PROSE, ['', ' ', '\t', '  \n']);
/** One line: a name, a title, a skill (spaces around it are trimmed). */
const oneLine = anyText(NOT_ONE_LINE, ['', ' ', '  ']);
const int = (min: number, max: number) => fc.integer({ min, max });
const email = fc.stringMatching(/^[a-z0-9][a-z0-9_+-]{0,20}@[a-z0-9]{1,15}\.[a-z]{2,6}$/);
const instant = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
const day = instant.map((s) => s.slice(0, 10));
const list = <T>(item: fc.Arbitrary<T>, min: number, max: number) =>
  fc.array(item, { minLength: min, maxLength: max });

// --- generators of wrong values ---

const notA = {
  string: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({})),
  number: fc.oneof(fc.string(), fc.boolean(), fc.constant(null), fc.constant([1])),
  boolean: fc.oneof(fc.constantFrom('true', 'false', 0, 1), fc.constant(null)),
  array: fc.oneof(fc.string(), fc.integer(), fc.constant({}), fc.constant(null)),
};
const badText = (min: number, max: number, extra: string[] = []) =>
  fc.oneof(
    notA.string,
    fc.constant(`a${'b'.repeat(max)}`), // too long
    fc.constant('a\u0000b'.padEnd(Math.max(min, 3), 'c')), // NUL: Postgres cannot store it
    fc.constant('a\u001bb'.padEnd(Math.max(min, 3), 'c')), // a control character (ESC)
    ...extra.map((bad) => fc.constant(bad.padEnd(Math.max(min, bad.length), 'c'))),
    ...(min > 0 ? [fc.constantFrom('', ' '.repeat(min + 1), 'x'.repeat(min - 1))] : []),
  );
/** A one-line field also refuses a line break inside it (a planted line in an email or the UI). */
const badLine = (min: number, max: number) => badText(min, max, ['a\nb', 'a\rb', 'a\u2028b']);
const badInt = (min: number, max: number) =>
  fc.oneof(notA.number, fc.constantFrom(min - 1, max + 1, min + 0.5, Number.MAX_SAFE_INTEGER * 4));
const badList = (item: fc.Arbitrary<unknown>, badItem: fc.Arbitrary<unknown>, min: number, max: number) =>
  fc.oneof(
    notA.array,
    item.chain((one) => fc.constant(Array.from({ length: max + 1 }, () => one))), // too many
    ...(min > 0 ? [fc.constant([])] : []),
    fc.tuple(list(item, 0, Math.max(0, max - 1)), badItem).map(([items, bad]) => [...items, bad]),
  );
const badEnum = fc.oneof(notA.string, fc.constantFrom('', 'nope', 'APPROVE'));
const badInstant = fc.oneof(notA.string, fc.constantFrom('tomorrow', '2026-13-01T00:00:00Z', '2026-01-01'));

// --- the schemas, field by field ---

interface Field {
  valid: fc.Arbitrary<unknown>;
  invalid: fc.Arbitrary<unknown>;
  optional?: boolean;
}
interface Case {
  schema: z.ZodType;
  fields: Record<string, Field>;
  /** Valid bodies also satisfy this (cross-field rules); an arbitrary of the full body when given. */
  body?: fc.Arbitrary<Record<string, unknown>>;
}

const field = (valid: fc.Arbitrary<unknown>, invalid: fc.Arbitrary<unknown>, optional = false): Field => ({
  valid,
  invalid,
  optional,
});
const textField = (min: number, max: number, optional = false) =>
  field(text(min, max), badText(min, max), optional);
const lineField = (min: number, max: number, optional = false) =>
  field(oneLine(min, max), badLine(min, max), optional);
const skills = (max: number) =>
  field(list(oneLine(1, 40), 1, max), badList(oneLine(1, 40), badLine(1, 40), 1, max));

const internshipFields: Record<string, Field> = {
  title: lineField(5, 120),
  description: textField(20, 5000),
  deliverable: textField(10, 1000),
  skills: skills(10),
  estimatedHours: field(int(5, 40), badInt(5, 40)),
  feeCents: field(int(40 * MIN_HOURLY_RATE_CENTS, 5_000_000), badInt(1, 5_000_000)),
  maxApplicants: field(int(1, 200), badInt(1, 200), true),
  applicationWindowDays: field(int(1, 30), badInt(1, 30), true),
  selectionWindowDays: field(int(1, 14), badInt(1, 14), true),
  acceptWindowHours: field(int(24, 168), badInt(24, 168), true),
  workDurationDays: field(int(3, 30), badInt(3, 30), true),
  reviewWindowDays: field(int(2, 14), badInt(2, 14), true),
  screeningQuestions: field(
    list(oneLine(5, 300), 0, 5),
    badList(oneLine(5, 300), badLine(5, 300), 0, 5),
    true,
  ),
  feeException: field(fc.boolean(), notA.boolean, true),
};

const CASES: Record<string, Case> = {
  createEmployerBody: {
    schema: createEmployerBody,
    fields: {
      companyName: lineField(2, 200),
      contactName: lineField(1, 200, true),
      contactEmail: field(
        email,
        fc.oneof(notA.string, fc.constantFrom('not-an-email', 'a@', '@b.co', 'a b@c.de')),
      ),
    },
  },
  createInternshipBody: { schema: createInternshipBody(MIN_HOURLY_RATE_CENTS), fields: internshipFields },
  createStudentBody: {
    schema: createStudentBody,
    fields: {
      name: lineField(1, 200),
      email: field(email, fc.oneof(notA.string, fc.constantFrom('nobody', 'x@y'))),
      school: lineField(1, 200, true),
      major: lineField(1, 200),
      graduationYear: field(int(1950, 2100), badInt(1950, 2100)),
      skills: skills(20),
    },
  },
  applyBody: {
    schema: applyBody,
    fields: {
      pitch: textField(20, 2000),
      answers: field(list(text(1, 2000), 0, 5), badList(text(1, 2000), badText(1, 2000), 0, 5), true),
    },
  },
  selectionBody: {
    schema: selectionBody,
    fields: {
      applicationIds: field(
        list(fc.uuid({ version: 4 }), 1, 3),
        badList(fc.uuid({ version: 4 }), fc.oneof(notA.string, fc.constantFrom('', 'not-a-uuid')), 1, 3),
      ),
    },
  },
  offerResponseBody: { schema: offerResponseBody, fields: { accept: field(fc.boolean(), notA.boolean) } },
  submissionBody: {
    schema: submissionBody,
    fields: {
      url: field(
        fc.webUrl({ validSchemes: ['http', 'https'] }).filter((u) => u.length <= 2000),
        fc.oneof(
          notA.string,
          fc.constantFrom(
            'ftp://example.com/x',
            'example.com',
            'javascript:alert(1)',
            'https://example.com/\u0000',
          ),
        ),
      ),
      notes: textField(1, 5000),
    },
  },
  reviewBody: {
    schema: reviewBody,
    fields: {
      decision: field(fc.constantFrom('approve', 'request_changes', 'reject'), badEnum),
      comments: field(text(0, 5000), fc.oneof(notA.string, fc.constant('x'.repeat(5001))), true),
    },
    // Changes and a rejection say why.
    body: fc.oneof(
      fc.record(
        { decision: fc.constant('approve'), comments: text(0, 5000) },
        { requiredKeys: ['decision'] },
      ),
      fc.record({ decision: fc.constantFrom('request_changes', 'reject'), comments: text(1, 5000) }),
    ),
  },
  extensionRequestBody: {
    schema: extensionRequestBody,
    fields: { newDueAt: field(instant, badInstant), reason: textField(5, 2000) },
  },
  extensionDecisionBody: {
    schema: extensionDecisionBody,
    fields: { approve: field(fc.boolean(), notA.boolean) },
  },
  missedDeadlineDecisionBody: {
    schema: missedDeadlineDecisionBody,
    fields: {
      choice: field(fc.constantFrom('extend', 'reselect', 'cancel'), badEnum),
      newDueAt: field(instant, badInstant, true),
    },
    // A new due date goes only with "extend".
    body: fc.oneof(
      fc.record({ choice: fc.constant('extend'), newDueAt: instant }, { requiredKeys: ['choice'] }),
      fc.record({ choice: fc.constantFrom('reselect', 'cancel') }),
    ),
  },
  feedbackBody: {
    schema: feedbackBody,
    fields: {
      rating: field(int(1, 5), badInt(1, 5)),
      comment: textField(1, 2000),
      endorsedSkills: field(
        list(oneLine(1, 40), 0, 10),
        badList(oneLine(1, 40), badLine(1, 40), 0, 10),
        true,
      ),
      showRatingPublicly: field(fc.boolean(), notA.boolean, true),
    },
  },
  hiringOfferBody: {
    schema: hiringOfferBody,
    fields: {
      role: lineField(2, 200),
      type: field(fc.constantFrom('full_time', 'part_time', 'internship', 'contract'), badEnum),
      payCents: field(int(1, 100_000_000), badInt(1, 100_000_000)),
      payPeriod: field(fc.constantFrom('hour', 'month', 'year'), badEnum),
      startDate: field(day, fc.oneof(notA.string, fc.constantFrom('2026-02-30', '0000-01-01', '2026-1-1'))),
      expiresAt: field(instant, badInstant),
    },
  },
  feeExceptionBody: { schema: feeExceptionBody, fields: { approve: field(fc.boolean(), notA.boolean) } },
  resolutionBody: { schema: resolutionBody, fields: { studentSharePct: field(int(0, 100), badInt(0, 100)) } },
  cancelBody: { schema: cancelBody, fields: { reason: textField(3, 2000) } },
  listInternshipsQuery: {
    schema: listInternshipsQuery,
    fields: {
      status: field(fc.constantFrom(...INTERNSHIP_STATUSES), fc.constantFrom('open', 'Nope', ''), true),
      skill: field(oneLine(1, 40), fc.constantFrom('', ' ', 'x'.repeat(41), 'sq\u0000l', 'sq\nl'), true),
      limit: field(int(1, 100).map(String), fc.constantFrom('0', '101', 'ten', '1.5', '-3'), true),
      cursor: field(fc.string({ maxLength: 200 }), fc.constant('c'.repeat(201)), true),
    },
  },
};

/** A valid body of a case: every required field, some optional ones. */
const validBody = (c: Case): fc.Arbitrary<Record<string, unknown>> => {
  const record = fc.record(Object.fromEntries(Object.entries(c.fields).map(([name, f]) => [name, f.valid])), {
    requiredKeys: Object.entries(c.fields)
      .filter(([, f]) => !f.optional)
      .map(([name]) => name),
  }) as fc.Arbitrary<Record<string, unknown>>;
  return c.body ?? record;
};

/** The case's valid body with one field made wrong: which field, and the body. */
const bodyWithOneWrongField = (c: Case) =>
  fc
    .tuple(validBody(c), fc.constantFrom(...Object.keys(c.fields)))
    .chain(([body, name]) =>
      c.fields[name]!.invalid.map((bad) => ({ name, body: { ...body, [name]: bad } })),
    );

/** A valid body with a key the schema does not know. */
const bodyWithUnknownKey = (c: Case) =>
  fc
    .tuple(
      validBody(c),
      fc.string({ minLength: 1, maxLength: 20 }).filter((k) => !(k in c.fields) && k !== '__proto__'),
      fc.jsonValue(),
    )
    .map(([body, name, value]) => ({ name, body: { ...body, [name]: value } }));

describe.each(Object.entries(CASES))('%s', (_name, c) => {
  test('every valid body parses', () => {
    fc.assert(
      fc.property(validBody(c), (body) => {
        const result = c.schema.safeParse(body);
        if (!result.success) throw new Error(JSON.stringify(result.error.issues));
      }),
      { numRuns: 200 },
    );
  });

  test('a body with one wrong field is refused, naming that field', () => {
    fc.assert(
      fc.property(bodyWithOneWrongField(c), ({ name, body }) => {
        const result = c.schema.safeParse(body);
        expect(result.success).toBe(false);
        const fields = fieldErrorsOf(result.error!).map((e) => e.field);
        expect(fields.some((f) => f === name || f.startsWith(`${name}.`))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  test('a key the schema does not know is refused, named as the field', () => {
    fc.assert(
      fc.property(bodyWithUnknownKey(c), ({ name, body }) => {
        const result = c.schema.safeParse(body);
        expect(result.success).toBe(false);
        expect(fieldErrorsOf(result.error!)).toContainEqual({ field: name, message: 'is not a known field' });
      }),
      { numRuns: 50 },
    );
  });
});

test('a fee below the fair-pay floor needs feeException, and the refusal names feeCents', () => {
  const schema = createInternshipBody(MIN_HOURLY_RATE_CENTS);
  fc.assert(
    fc.property(
      validBody(CASES.createInternshipBody!),
      int(5, 40),
      fc.boolean(),
      (body, hours, exception) => {
        const fee = hours * MIN_HOURLY_RATE_CENTS - 1;
        const result = schema.safeParse({
          ...body,
          estimatedHours: hours,
          feeCents: fee,
          feeException: exception,
        });
        expect(result.success).toBe(exception);
        if (!result.success) expect(fieldErrorsOf(result.error).map((e) => e.field)).toEqual(['feeCents']);
      },
    ),
  );
});

describe('over HTTP: no JSON body yields a 5xx', () => {
  let h: ApiHarness;
  let routes: { path: string; token?: string; near: fc.Arbitrary<unknown> }[];
  beforeAll(async () => {
    h = await startApiHarness();
    const employer = await newEmployer(h);
    const student = await newStudent(h, 'Property Tester');
    const id = await newPosting(h, employer);
    /** Valid bodies, bodies with one wrong field or an unknown key: the inputs near the edge. */
    const near = (c: Case) =>
      fc.oneof(
        validBody(c),
        bodyWithOneWrongField(c).map((x) => x.body),
        bodyWithUnknownKey(c).map((x) => x.body),
      );
    routes = [
      { path: '/v1/students', near: near(CASES.createStudentBody!) },
      { path: '/v1/employers', token: await staffSession(h, 'admin'), near: near(CASES.createEmployerBody!) },
      { path: '/v1/internships', token: employer.token, near: near(CASES.createInternshipBody!) },
      { path: `/v1/internships/${id}/applications`, token: student.token, near: near(CASES.applyBody!) },
      { path: `/v1/internships/${id}/selection`, token: employer.token, near: near(CASES.selectionBody!) },
      { path: `/v1/internships/${id}/review`, token: employer.token, near: near(CASES.reviewBody!) },
      {
        path: `/v1/internships/${id}/hiring-offer`,
        token: employer.token,
        near: near(CASES.hiringOfferBody!),
      },
    ];
  });
  afterAll(async () => {
    await h?.stop();
  });

  test('arbitrary JSON and near-valid bodies get a 2xx, or a problem+json 4xx; a 422 names fields', async () => {
    const request = fc
      .nat({ max: routes.length - 1 })
      .chain((r) =>
        fc
          .oneof(
            { weight: 1, arbitrary: fc.jsonValue() },
            { weight: 1, arbitrary: fc.object() },
            { weight: 3, arbitrary: routes[r]!.near },
          )
          .map((sent) => ({ route: routes[r]!, sent })),
      );
    await fc.assert(
      fc.asyncProperty(request, async ({ route, sent }) => {
        const res = await call(h.baseUrl, 'POST', route.path, {
          token: route.token,
          rawBody: JSON.stringify(sent),
        });
        const seen = `${route.path} ${JSON.stringify(sent)} → ${res.status} ${JSON.stringify(res.body)}`;
        if (res.status >= 500) throw new Error(`5xx: ${seen}`);
        if (res.status >= 400) {
          if (!/^application\/problem\+json/.test(res.headers.get('content-type') ?? '')) {
            throw new Error(`not a problem: ${seen}`);
          }
          expect(res.body).toMatchObject({ status: res.status, title: expect.any(String) });
        }
        if (res.status === 422) {
          expect(res.body.errors.length).toBeGreaterThan(0);
          for (const e of res.body.errors) {
            expect(e).toEqual({ field: expect.any(String), message: expect.any(String) });
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
