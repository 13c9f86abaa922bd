/**
 * People as the proving programs (benchmark, chaos run, fuzzer, demo) and the API tests bring them
 * in: through the API and their inbox, never around them. Staff begin with the break-glass
 * OPS_TOKEN (its one use: the first admin); everyone signs in with the code their email carries.
 */
import {
  request,
  expectStatus,
  HttpError,
  studentProfile,
  type Actor,
  type Actors,
  type HttpOptions,
} from './lifecycle';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface CaughtEmail {
  subject: string;
  text: string;
  to: { address: string }[];
}

/** The newest email to `address` in maildev (its API filters by recipient) whose subject matches. */
async function newestEmail(
  inboxUrl: string,
  address: string,
  subject: RegExp,
): Promise<CaughtEmail | undefined> {
  const res = await fetch(`${inboxUrl}/api/email?to.address=${encodeURIComponent(address)}`);
  if (!res.ok) return undefined;
  const all = (await res.json()) as CaughtEmail[];
  return all.filter((e) => subject.test(e.subject)).at(-1);
}

export interface Inbox {
  /** maildev's web address, whose JSON API lists the emails caught. */
  url: string;
}

/**
 * A session for the person at `address`: the code from the newest sign-in email that `ask` sends.
 * A code that fails (an older email that arrived late: a sign-up's confirmation, a code replaced)
 * is not a reason to ask again — asking replaces the code on its way, and with emails sent in the
 * background that chases itself — so the newest email is watched for a newer code. A new email is
 * asked for only when none came for a minute (the API was killed after answering and before
 * sending, or the code was spent by a request whose answer was lost), until the give-up time.
 */
export async function sessionFor(
  http: HttpOptions,
  inbox: Inbox,
  address: string,
  ask: () => Promise<unknown>,
  client: 'api' | 'browser' = 'api',
): Promise<string> {
  // A burst of sign-ups queues hundreds of emails at once: a person waits a few minutes at worst.
  const giveUpAt = Date.now() + Math.max(http.retryForMs, 240_000);
  const newestCode = async () => {
    const email = await newestEmail(
      inbox.url,
      address,
      /sign-in code|Confirm your email|invited|already have an account/i,
    );
    return email ? /code (\d{6})/.exec(email.text)?.[1] : undefined;
  };
  // A code already in the inbox (this person's sign-up) is not the one about to be asked for.
  const seen = new Set<string>();
  const before = await newestCode();
  if (before) seen.add(before);
  await ask();
  for (let asked = 1; ;) {
    const waitUntil = Date.now() + 60_000;
    let code: string | undefined;
    // Polled less often the longer it takes: with thousands of emails caught, each look costs
    // maildev a scan of them all, and a hundred people looking every 100 ms slow every email down.
    for (let look = 1; !code && Date.now() < waitUntil; look++) {
      const found = await newestCode();
      if (found && !seen.has(found)) code = found;
      else await sleep(Math.min(1_000, 100 * look));
    }
    if (code) {
      seen.add(code);
      const res = await request(http, 'POST /v1/auth/sessions', '/v1/auth/sessions', {
        body: { email: address, code, ...(client === 'browser' ? { client } : {}) },
      });
      if (res.status === 201 && client === 'browser') return sessionCookieOf(res.headers);
      if (res.status === 201) return (res.body as { token: string }).token;
      if (![401, 410].includes(res.status))
        throw new HttpError('POST /v1/auth/sessions', res.status, res.body);
    }
    if (Date.now() > giveUpAt) throw new Error(`no way in for ${address} after ${asked} emails`);
    if (code) continue; // a late, older code: the one asked for is still on its way
    const again = await request(http, 'POST /v1/auth/sign-in', '/v1/auth/sign-in', {
      body: { email: address },
    });
    asked++;
    // 429: this address had its sign-in emails for the hour; the ones asked for are still on their
    // way (a slow inbox, not a lost email), so look for them again rather than give up.
    if (again.status !== 202 && again.status !== 429)
      throw new HttpError('POST /v1/auth/sign-in', again.status, again.body);
  }
}

/** `name=value` of the session cookie a browser sign-in sets. */
function sessionCookieOf(headers: Headers | undefined): string {
  const cookie = headers?.getSetCookie().find((c) => c.startsWith('mi_session='));
  if (!cookie) throw new Error('a browser sign-in answered 201 without its session cookie');
  return cookie.split(';')[0]!;
}

/** The web app's session for someone who has an account: signed in again by emailed code, as a browser. */
export async function browserSession(http: HttpOptions, inbox: Inbox, address: string): Promise<string> {
  return sessionFor(
    http,
    inbox,
    address,
    () => expectStatus(http, 'POST /v1/auth/sign-in', '/v1/auth/sign-in', 202, { body: { email: address } }),
    'browser',
  );
}

/** A staff admin, made with the break-glass OPS_TOKEN, signed in. */
export async function firstAdmin(
  http: HttpOptions,
  inbox: Inbox,
  opsToken: string,
  tag: string,
): Promise<string> {
  const email = `admin-${tag}@ops.test`;
  return sessionFor(http, inbox, email, () =>
    expectStatus(http, 'POST /v1/admin/staff', '/v1/admin/staff', 201, {
      token: opsToken,
      body: { email, name: 'Ada Admin', role: 'admin' },
    }),
  );
}

/** Another staff member (support, finance), added by an admin, signed in. */
export async function staffMember(
  http: HttpOptions,
  inbox: Inbox,
  adminToken: string,
  role: 'support' | 'finance' | 'admin',
  tag: string,
): Promise<string> {
  const email = `${role}-${tag}@ops.test`;
  return sessionFor(http, inbox, email, () =>
    expectStatus(http, 'POST /v1/admin/staff', '/v1/admin/staff', 201, {
      token: adminToken,
      body: { email, name: `${role} person`, role },
    }),
  );
}

/** An employer organisation made by a staff admin; its owner accepts the invitation and signs in. */
export async function signUpEmployer(
  http: HttpOptions,
  inbox: Inbox,
  adminToken: string,
  tag: string,
): Promise<{ id: string; token: string; email: string }> {
  const email = `hiring-${tag}@acme.test`;
  let id = '';
  const token = await sessionFor(http, inbox, email, async () => {
    // The key makes a retry after a lost answer find the same organisation.
    const created = await expectStatus(http, 'POST /v1/employers', '/v1/employers', 201, {
      token: adminToken,
      key: `employer-${tag}`,
      body: { companyName: `Acme ${tag}`, contactEmail: email, contactName: 'Ada Lovelace' },
    });
    id = (created as { employer: { id: string } }).employer.id;
  });
  return { id, token, email };
}

/** A student who signs up and confirms the address with the emailed code. */
export async function signUpStudent(
  http: HttpOptions,
  inbox: Inbox,
  profile: { email: string; name: string } & Record<string, unknown>,
): Promise<Actor> {
  const token = await sessionFor(http, inbox, profile.email, () =>
    expectStatus(http, 'POST /v1/students', '/v1/students', 202, { body: profile }),
  );
  const me = await expectStatus(http, 'GET /v1/me', '/v1/me', 200, { token });
  return { id: (me as { account: { id: string } }).account.id, token, email: profile.email };
}

/** An employer organisation (made by a staff admin) and three students who signed up, through the API. */
export async function signUpActors(
  http: HttpOptions,
  inbox: Inbox,
  adminToken: string,
  tag: string,
): Promise<Actors> {
  const employer = await signUpEmployer(http, inbox, adminToken, tag);
  const students = await Promise.all(
    [1, 2, 3].map((n) => signUpStudent(http, inbox, studentProfile(n, tag))),
  );
  return { employer, students };
}

/** Actors for `n` lifecycles, 20 at a time (each waits for its emails). */
export async function signUpMany(
  http: HttpOptions,
  inbox: Inbox,
  adminToken: string,
  n: number,
  tagOf: (i: number) => string,
): Promise<Actors[]> {
  const actors: Actors[] = [];
  for (let i = 0; i < n; i += 20) {
    actors.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(20, n - i) }, (_, j) =>
          signUpActors(http, inbox, adminToken, tagOf(i + j)),
        ),
      )),
    );
  }
  return actors;
}

/** The same people with a browser session each for the employer and the student who is hired. */
export async function withBrowserSessions(http: HttpOptions, inbox: Inbox, all: Actors[]): Promise<Actors[]> {
  const withCookie = async (a: Actor): Promise<Actor> => {
    if (!a.email) throw new Error(`actor ${a.id} has no email to sign in with`);
    return { ...a, cookie: await browserSession(http, inbox, a.email) };
  };
  const out: Actors[] = [];
  for (let i = 0; i < all.length; i += 20) {
    out.push(
      ...(await Promise.all(
        all.slice(i, i + 20).map(async ({ employer, students }) => ({
          employer: await withCookie(employer),
          students: [await withCookie(students[0]!), ...students.slice(1)],
        })),
      )),
    );
  }
  return out;
}
