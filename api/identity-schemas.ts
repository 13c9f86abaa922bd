/** Request and response shapes of signing in, sessions, API tokens, organisations' members and staff. */
import { z } from 'zod';
import { ORG_ROLES, STAFF_ROLES } from '../db/accounts';
import { emailAddress, line, memberSchema } from './schemas';

export const signInBody = z.object({ email: emailAddress }).strict();

export const signInAccepted = z.object({
  status: z.literal('check-your-email'),
  detail: z.string(),
});

/** API clients get the token in the answer; a browser gets the HttpOnly cookie and a CSRF token. */
const sessionClient = z
  .enum(['api', 'browser'])
  .default('api')
  .describe('api: the session token in the answer; browser: an HttpOnly cookie and a CSRF token');

export const openSessionBody = z.union([
  z
    .object({
      email: emailAddress,
      code: z.string().regex(/^\d{6}$/, 'must be the 6 digits from the email'),
      client: sessionClient,
    })
    .strict(),
  z
    .object({
      token: z.string().regex(/^mil_[A-Za-z0-9_-]{43}$/, 'must be the token of a sign-in link'),
      client: sessionClient,
    })
    .strict(),
]);

const accountKind = z.enum(['student', 'member', 'staff']);

export const sessionOpened = z.object({
  token: z
    .string()
    .optional()
    .describe('The session token (API clients): send it as Authorization: Bearer; shown once'),
  csrfToken: z
    .string()
    .optional()
    .describe('Browsers: send it in X-CSRF-Token with every change made with the session cookie'),
  sessionId: z.uuid(),
  expiresAt: z.iso.datetime().describe('The latest it ends; it ends sooner after days without use'),
  account: z.object({ id: z.uuid(), email: z.string().nullable(), kind: accountKind }),
});

export const sessionSchema = z.object({
  id: z.uuid(),
  client: z.enum(['api', 'browser']),
  method: z.enum(['email-link', 'email-code', 'oidc']),
  userAgent: z.string().nullable(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().describe('Recorded at most once a minute'),
  idleExpiresAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  current: z.boolean().describe('The session this request came with'),
});
export const sessionList = z.object({ items: z.array(sessionSchema) });

export const meSchema = z.object({
  account: z.object({
    id: z.uuid(),
    email: z.string().nullable(),
    name: z.string().nullable(),
    kind: accountKind,
  }),
  role: z
    .string()
    .describe('student; owner, admin or member of the organisation; support, finance or admin staff'),
  organisation: z
    .object({
      id: z.uuid(),
      companyName: z.string(),
      fairPayFloorCentsPerHour: z
        .int()
        .describe('Fair pay: a posting needs feeCents / estimatedHours at least this, or a fee exception'),
    })
    .nullable(),
  credential: z.object({ kind: z.enum(['session', 'api-token']), id: z.uuid() }),
  channel: z.enum(['api', 'browser']),
  timeZone: z
    .string()
    .nullable()
    .describe('The IANA zone your dates are written in (PUT /v1/me/time-zone); null for staff (UTC)'),
  csrfToken: z.string().optional().describe('Browser sessions: the token their changes must send'),
});

export const createTokenBody = z
  .object({
    name: line(1, 100).describe('What the token is for, e.g. "ATS integration"'),
    expiresAt: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('When it stops working; never, when not given'),
  })
  .strict();

export const apiTokenSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime().nullable(),
  lastUsedAt: z.iso.datetime().nullable().describe('Recorded at most once a minute'),
});
export const apiTokenList = z.object({ items: z.array(apiTokenSchema) });
export const apiTokenCreated = apiTokenSchema.extend({
  token: z.string().describe('The token; shown once, stored only as a hash'),
});

export const idParam = z.object({ id: z.uuid() });
export const employerIdParam = z.object({ id: z.uuid() });
export const memberParams = z.object({ id: z.uuid(), accountId: z.uuid() });

export const inviteMemberBody = z
  .object({
    email: emailAddress,
    name: line(1, 200).optional(),
    role: z.enum(ORG_ROLES).default('member').describe('Only an owner may invite another owner'),
  })
  .strict();
export const memberList = z.object({ items: z.array(memberSchema) });

export const staffSchema = z.object({
  accountId: z.uuid(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  role: z.enum(STAFF_ROLES),
  linkedToIdentityProvider: z.boolean(),
  createdAt: z.iso.datetime(),
});
export const staffList = z.object({ items: z.array(staffSchema) });
export const createStaffBody = z
  .object({
    email: emailAddress,
    name: line(1, 200).optional(),
    role: z.enum(STAFF_ROLES),
  })
  .strict();
export const staffParams = z.object({ accountId: z.uuid() });
