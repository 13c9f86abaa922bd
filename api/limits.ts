import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Db } from '../db/pool';
import type { AppConfig } from '../lib/config';
import { HttpProblem } from './problem';

const HOUR = 3600;
const DAY = 24 * HOUR;

/**
 * The abuse limits that every API process counts together, in Postgres (rate-limiter-flexible's
 * store): sign-in emails, code attempts, sign-ups, applications and postings, each per account and
 * per client address. Past one, 429 with Retry-After. The per-minute write limits and the
 * connection limit in front of them stay in each process's memory: they are the cheap first line
 * against a flood, which must not cost a database write per refused request.
 */
export type LimitName =
  | 'sign-in-email'
  | 'sign-in-address'
  | 'code-email'
  | 'code-address'
  | 'sign-up-address'
  | 'sign-up-email'
  | 'application-student'
  | 'application-address'
  | 'posting-organisation'
  | 'posting-address';

type LimitConfig = Pick<
  AppConfig,
  | 'SIGN_IN_EMAILS_PER_EMAIL_PER_HOUR'
  | 'SIGN_IN_EMAILS_PER_ADDRESS_PER_HOUR'
  | 'CODE_ATTEMPTS_PER_EMAIL_PER_HOUR'
  | 'CODE_ATTEMPTS_PER_ADDRESS_PER_HOUR'
  | 'SIGNUP_RATE_LIMIT_PER_MINUTE'
  | 'APPLICATIONS_PER_STUDENT_PER_DAY'
  | 'APPLICATIONS_PER_ADDRESS_PER_DAY'
  | 'POSTINGS_PER_ORGANISATION_PER_DAY'
  | 'POSTINGS_PER_ADDRESS_PER_DAY'
>;

const WHAT: Record<LimitName, string> = {
  'sign-in-email': 'sign-in emails to this address',
  'sign-in-address': 'sign-in requests from your network address',
  'code-email': 'sign-in attempts for this email',
  'code-address': 'sign-in attempts from your network address',
  'sign-up-address': 'sign-ups from your network address',
  'sign-up-email': 'sign-up emails to this address',
  'application-student': 'applications today',
  'application-address': 'applications from your network address today',
  'posting-organisation': 'postings by your organisation today',
  'posting-address': 'postings from your network address today',
};

export class SharedLimits {
  private readonly limiters: Record<LimitName, RateLimiterPostgres>;

  constructor(db: Db, config: LimitConfig) {
    const table: [LimitName, number, number][] = [
      ['sign-in-email', config.SIGN_IN_EMAILS_PER_EMAIL_PER_HOUR, HOUR],
      ['sign-in-address', config.SIGN_IN_EMAILS_PER_ADDRESS_PER_HOUR, HOUR],
      ['code-email', config.CODE_ATTEMPTS_PER_EMAIL_PER_HOUR, HOUR],
      ['code-address', config.CODE_ATTEMPTS_PER_ADDRESS_PER_HOUR, HOUR],
      ['sign-up-address', config.SIGNUP_RATE_LIMIT_PER_MINUTE, 60],
      ['sign-up-email', config.SIGN_IN_EMAILS_PER_EMAIL_PER_HOUR, HOUR],
      ['application-student', config.APPLICATIONS_PER_STUDENT_PER_DAY, DAY],
      ['application-address', config.APPLICATIONS_PER_ADDRESS_PER_DAY, DAY],
      ['posting-organisation', config.POSTINGS_PER_ORGANISATION_PER_DAY, DAY],
      ['posting-address', config.POSTINGS_PER_ADDRESS_PER_DAY, DAY],
    ];
    this.limiters = Object.fromEntries(
      table.map(([name, points, duration], i) => [
        name,
        new RateLimiterPostgres({
          storeClient: db,
          tableName: 'rate_limits',
          tableCreated: true,
          keyPrefix: name,
          points,
          duration,
          // One sweeper of expired rows is enough for the whole table.
          clearExpiredByTimeout: i === 0,
        }),
      ]),
    ) as Record<LimitName, RateLimiterPostgres>;
  }

  /**
   * Counts one of each; past any of them, a 429 naming it with the seconds until it frees up. The
   * function returned gives the points back, for a request that then failed on the platform's side
   * (a 5xx): the client's retry is the same request, not another one.
   */
  async consume(...counts: [LimitName, string][]): Promise<() => Promise<void>> {
    const taken: [LimitName, string][] = [];
    for (const [name, key] of counts) {
      try {
        await this.limiters[name].consume(key.toLowerCase());
        taken.push([name, key.toLowerCase()]);
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        const seconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
        throw new HttpProblem(429, 'Too Many Requests', `Too many ${WHAT[name]}; try again in ${seconds} s`, {
          type: '/problems/TooManyRequests',
          headers: { 'Retry-After': String(seconds) },
        });
      }
    }
    return async () => {
      for (const [name, key] of taken) await this.limiters[name].reward(key, 1);
    };
  }
}

/**
 * `work`, giving the points of `consume` back if it fails on the platform's side (a 5xx, or an
 * error that would be one): the client's retry of it is the same request, not another.
 */
export async function givenBackOnServerError<T>(giveBack: () => Promise<void>, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (!(err instanceof HttpProblem) || err.status >= 500) await giveBack().catch(() => undefined);
    throw err;
  }
}
