import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import {
  claimActionToken,
  findActionToken,
  releaseActionToken,
  type ActionToken,
} from '../../db/action-tokens';
import { findEmployer } from '../../db/employers';
import { findInternship, findInternshipContact } from '../../db/internships';
import { findStudent } from '../../db/students';
import { forPeople } from '../../lib/dates';
import {
  decideExtensionUpdate,
  missedDeadlineDecisionUpdate,
  openPaymentPageUpdate,
  openPayoutOnboardingUpdate,
  respondToHiringOfferUpdate,
  respondToOfferUpdate,
} from '../../workflows/definitions';
import type { RouteDeps } from '../deps';
import { findAccount, findCaller } from '../../db/accounts';
import { actOn, actorOfCaller, type Actor } from '../audited-handle';
import { DocumentedRouter } from '../documented-router';
import { htmlPage, problem, type Operation } from '../openapi-kit';
import { page } from '../pages';
import { TryAgainShortly, unreachableDependency } from '../problem';
import { problemFromUpdateFailure } from '../workflow-errors';
import { LINK_EXTENSION_DAYS } from '../../workflows/durations';
import { formatUsd } from '../../workflows/money';

type Handle = ReturnType<typeof actOn>;

interface Decision {
  question: string;
  button: string;
  done: string;
  past: string;
  perform(handle: Handle, token: ActionToken): Promise<unknown>;
}

const recovery = (choice: 'extend' | 'reselect' | 'cancel') => (handle: Handle) =>
  handle.executeUpdate(missedDeadlineDecisionUpdate, { args: [{ choice, via: 'email' }] });

/** What each decision link does, in words for its page. */
export const ACTIONS: Record<string, Decision> = {
  'offer.accept': {
    question: 'Accept the offer for "%s"?',
    button: 'Accept the offer',
    done: 'You accepted the offer. The employer has been told and will be in touch.',
    past: 'accepted',
    perform: (handle, token) =>
      handle.executeUpdate(respondToOfferUpdate, {
        args: [{ studentId: token.actorId, accept: true, via: 'email' }],
      }),
  },
  'offer.decline': {
    question: 'Decline the offer for "%s"?',
    button: 'Decline the offer',
    done: 'You declined the offer. Thank you for letting the employer know.',
    past: 'declined',
    perform: (handle, token) =>
      handle.executeUpdate(respondToOfferUpdate, {
        args: [{ studentId: token.actorId, accept: false, via: 'email' }],
      }),
  },
  'extension.approve': {
    question: 'Approve the new due date for "%s"?',
    button: 'Approve the extension',
    done: 'The due date is moved. The student has been told.',
    past: 'answered',
    perform: (handle) =>
      handle.executeUpdate(decideExtensionUpdate, { args: [{ approve: true, via: 'email' }] }),
  },
  'extension.decline': {
    question: 'Keep the current due date for "%s"?',
    button: 'Decline the extension',
    done: 'The due date stays as it was. The student has been told.',
    past: 'answered',
    perform: (handle) =>
      handle.executeUpdate(decideExtensionUpdate, { args: [{ approve: false, via: 'email' }] }),
  },
  'recovery.extend': {
    question: `Give the student ${LINK_EXTENSION_DAYS} more days for "%s"?`,
    button: `Extend by ${LINK_EXTENSION_DAYS} days`,
    done: `The student has ${LINK_EXTENSION_DAYS} more days.`,
    past: 'decided',
    perform: recovery('extend'),
  },
  'recovery.reselect': {
    question: 'Choose another applicant for "%s"?',
    button: 'Choose another applicant',
    done: 'You can choose again among the remaining applicants; your fee stays held.',
    past: 'decided',
    perform: recovery('reselect'),
  },
  'hiring.accept': {
    question: 'Accept the job offer from the employer of "%s"?',
    button: 'Accept the job offer',
    done: 'Congratulations! The employer has been told and will be in touch about the next steps.',
    past: 'answered',
    perform: (handle, token) =>
      handle.executeUpdate(respondToHiringOfferUpdate, {
        args: [{ studentId: token.actorId, accept: true, via: 'email' }],
      }),
  },
  'hiring.decline': {
    question: 'Decline the job offer from the employer of "%s"?',
    button: 'Decline the job offer',
    done: 'You declined the offer. The employer has been told.',
    past: 'answered',
    perform: (handle, token) =>
      handle.executeUpdate(respondToHiringOfferUpdate, {
        args: [{ studentId: token.actorId, accept: false, via: 'email' }],
      }),
  },
  'recovery.cancel': {
    question: 'Cancel "%s" with a full refund?',
    button: 'Cancel and refund',
    done: 'Cancelled. The fee is refunded in full.',
    past: 'decided',
    perform: recovery('cancel'),
  },
};

/**
 * Links that open a page at Stripe rather than decide something: usable until they expire, and each
 * use asks the workflow for a fresh page (Stripe's own pages live minutes to hours, the link days).
 */
const REDIRECTS: Record<string, { question: string; button: string }> = {
  'funding.pay': { question: 'Pay the fee for "%s"', button: 'Continue to secure payment' },
  'payout.onboard': { question: 'Set up payouts for "%s"', button: 'Continue to Stripe' },
};

/**
 * Whoever holds an email link acts as the person it was sent to; undefined when that person has since
 * been removed (their links end with their sessions). Links sent before accounts named the
 * employer's organisation.
 */
async function linkActor(
  deps: RouteDeps,
  token: ActionToken,
  employerId: string,
): Promise<Actor | undefined> {
  const account = await findAccount(deps.db, token.actorId);
  if (!account) {
    return {
      role: token.actorRole,
      id: token.actorId,
      title: null,
      organisationId: token.actorRole === 'employer' ? employerId : null,
      channel: 'email',
    };
  }
  const caller = await findCaller(deps.db, token.actorId);
  return caller && actorOfCaller(caller, 'email');
}

const noLongerYours = (res: Response) =>
  html(
    res,
    403,
    page('This link is no longer yours to use', [
      'It was sent to someone who is no longer a member of this organisation. Nothing was changed.',
    ]),
  );

const TOKEN_SHAPE = /^mi_[A-Za-z0-9_-]{43}$/;

/** An email link's token is a credential: whatever part of one an error quotes is cut from the log. */
const withoutLinkTokens = (err: unknown) => {
  const cut = (text: unknown) =>
    typeof text === 'string' ? text.replace(/mi_[^\s'"/?#]*/g, 'mi_[redacted]') : undefined;
  const e = err as { name?: unknown; message?: unknown; stack?: unknown; code?: unknown };
  return { type: e?.name, code: e?.code, message: cut(e?.message), stack: cut(e?.stack) };
};

/** A link's expiry as the person it was sent to reads it, in their time zone. */
async function expiryFor(deps: RouteDeps, token: ActionToken): Promise<string> {
  const person =
    token.actorRole === 'student'
      ? await findStudent(deps.db, token.actorId)
      : await findEmployer(deps.db, token.actorId);
  return forPeople(token.expiresAt.toISOString(), person?.timeZone ?? 'UTC');
}

const html = (res: Response, status: number, body: string) => {
  if (status === 503) res.setHeader('Retry-After', '5');
  res.status(status).type('html').setHeader('Cache-Control', 'no-store').send(body);
};
/** Nothing happened (a dependency is down, the workflow is re-running a lost step, or is busy). */
const tryAgain = (res: Response) =>
  html(
    res,
    503,
    page('Please try again shortly', ['We could not record your answer just now. Nothing was changed.']),
  );
const forged = (res: Response) =>
  html(
    res,
    404,
    page('Link not found', [
      'This link is not valid. Check that you copied the whole address from the email.',
    ]),
  );
const expired = (res: Response) =>
  html(
    res,
    410,
    page('This link has expired', [
      'The time to answer has passed, so this decision can no longer be made here.',
    ]),
  );
const alreadyDone = (res: Response, token: ActionToken) =>
  html(
    res,
    200,
    page('Already done', [
      `This decision was already made: ${ACTIONS[token.usedAction ?? '']?.past ?? 'answered'}. Nothing more is needed.`,
    ]),
  );

/**
 * Where Stripe sends a person back to after a link's Stripe page was completed (`?back=done`): a
 * page that says what happens next, not the button that opened it again.
 */
const BACK_FROM_STRIPE: Record<string, { title: string; words: string }> = {
  'funding.pay': {
    title: 'Thank you: your payment is with Stripe',
    words: 'The work starts as soon as Stripe confirms the payment, and we email you both then.',
  },
  'payout.onboard': {
    title: 'Thank you: your payout account is with Stripe',
    words: 'Your pay is sent as soon as Stripe confirms the account, and we email you then.',
  },
};

/** GET shows the decision and its button; it changes nothing, so link scanners are harmless. */
async function showDecision(deps: RouteDeps, raw: string, res: Response, back?: unknown): Promise<void> {
  const token = TOKEN_SHAPE.test(raw) ? await findActionToken(deps.db, raw) : undefined;
  const action = token && (ACTIONS[token.action] ?? REDIRECTS[token.action]);
  if (!token || !action) return forged(res);
  if (token.usedAt) return alreadyDone(res, token);
  const done = back === 'done' ? BACK_FROM_STRIPE[token.action] : undefined;
  if (done) return html(res, 200, page(done.title, [done.words, 'Nothing more is needed here.']));
  if (token.expiresAt.getTime() <= Date.now()) return expired(res);
  const [posting, internship, expiry] = await Promise.all([
    findInternshipContact(deps.db, token.internshipId),
    findInternship(deps.db, token.internshipId),
    expiryFor(deps, token),
  ]);
  const title = posting?.title ?? 'this micro-internship';
  const fee = internship ? formatUsd(internship.feeCents) : '';
  const contexts: Record<string, string> = {
    'offer.accept': `${posting?.companyName} chose you for this paid micro-internship: ${fee} for about ${internship?.estimatedHours} hours of work.`,
    'funding.pay': `The fee of ${fee} is held until the work is approved; your student starts once it is paid.`,
    'payout.onboard': 'Your pay is ready: a payout account with our payments partner, Stripe, receives it.',
  };
  const offer = contexts['offer.accept']!;
  const context =
    posting && internship ? (token.action.startsWith('offer.') ? offer : (contexts[token.action] ?? '')) : '';
  html(
    res,
    200,
    page(
      action.question.replace('%s', title),
      [context, `This link works until ${expiry}.`].filter(Boolean),
      {
        action: `/actions/${raw}`,
        button: action.button,
      },
    ),
  );
}

/** A link that opens a Stripe page (pay, payout onboarding): a fresh one each time, until it expires. */
async function openRedirect(
  deps: RouteDeps,
  raw: string,
  redirect: ActionToken,
  res: Response,
): Promise<void> {
  if (redirect.expiresAt.getTime() <= Date.now()) return expired(res);
  const internship = await findInternship(deps.db, redirect.internshipId);
  const actor = await linkActor(deps, redirect, internship!.employerId);
  if (!actor) return noLongerYours(res);
  const back = `${deps.config.PUBLIC_BASE_URL}/actions/${raw}`;
  const handle = actOn(deps, internship!, actor);
  try {
    const { url } =
      redirect.action === 'funding.pay'
        ? await handle.executeUpdate(openPaymentPageUpdate, {
            args: [{ successUrl: `${back}?back=done`, cancelUrl: back }],
          })
        : await handle.executeUpdate(openPayoutOnboardingUpdate, {
            args: [{ refreshUrl: back, returnUrl: `${back}?back=done` }],
          });
    return res.redirect(303, url);
  } catch (err) {
    if (err instanceof TryAgainShortly) return tryAgain(res);
    if (problemFromUpdateFailure(err)) {
      return html(
        res,
        200,
        page('Nothing left to do here', ['This step is already complete or has closed.']),
      );
    }
    throw err;
  }
}

/** The `{token}` of /actions/{token}. */
const tokenIn = (req: Request) => String(req.params.token);
const tokenParam = z.object({ token: z.string().describe('The opaque token from the email link') });
const showPage: Operation = {
  method: 'get',
  path: '/actions/{token}',
  summary: 'Email link: a page stating the decision with one button; changes nothing',
  request: {
    params: tokenParam,
    query: z.object({
      back: z
        .enum(['done'])
        .optional()
        .describe("Set by Stripe's return address after a pay or payout link's Stripe page was completed"),
    }),
  },
  responses: {
    200: htmlPage('The decision, or "already done"'),
    404: htmlPage('Unknown link'),
    410: htmlPage('Expired link'),
    429: problem('Too many link requests from this address; try again after Retry-After'),
    503: htmlPage('Temporarily unavailable'),
  },
};
const decide: Operation = {
  method: 'post',
  path: '/actions/{token}',
  summary: 'Email link: performs the decision once',
  request: { params: tokenParam },
  responses: {
    200: htmlPage('Done, or already done'),
    404: htmlPage('Unknown link'),
    409: htmlPage('The decision is closed'),
    410: htmlPage('Expired link'),
    429: problem('Too many link requests from this address; try again after Retry-After'),
    503: htmlPage('Temporarily unavailable; nothing changed'),
  },
};

/**
 * Email links (DESIGN §4). GET only shows the decision and a button, so link scanners that fetch or
 * render the page change nothing; POST performs it once.
 */
export function actionRoutes(deps: RouteDeps): DocumentedRouter {
  const routes = new DocumentedRouter();
  routes.route(showPage, (req, res) => showDecision(deps, tokenIn(req), res, req.query.back));
  routes.route(decide, async (req, res) => {
    const raw = tokenIn(req);
    if (!TOKEN_SHAPE.test(raw)) return forged(res);
    const redirect = await findActionToken(deps.db, raw);
    if (redirect && REDIRECTS[redirect.action]) return openRedirect(deps, raw, redirect, res);
    const internship = redirect && (await findInternship(deps.db, redirect.internshipId));
    const actor = redirect && internship && (await linkActor(deps, redirect, internship.employerId));
    if (redirect && internship && !actor) return noLongerYours(res);
    const claimed = await claimActionToken(deps.db, raw);
    if (!claimed) {
      const token = await findActionToken(deps.db, raw);
      if (!token || !ACTIONS[token.action]) return forged(res);
      if (token.usedAt) return alreadyDone(res, token);
      return expired(res);
    }
    const action = ACTIONS[claimed.action]!;
    try {
      await action.perform(actOn(deps, internship!, actor!), claimed);
    } catch (err) {
      if (unreachableDependency(err) || err instanceof TryAgainShortly) {
        // Nothing happened: give the link back so the person can try again.
        await releaseActionToken(deps.db, claimed.decisionKey);
        return tryAgain(res);
      }
      if (problemFromUpdateFailure(err)) {
        return html(
          res,
          409,
          page('This decision is closed', [
            'This can no longer be answered here: it has lapsed or was already answered.',
          ]),
        );
      }
      throw err;
    }
    html(res, 200, page('Done', [action.done]));
  });

  // People arrive here from email, not from an API client: failures get a page, never JSON or a trace.
  routes.router.use('/actions', (err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    // An address that cannot be decoded (a stray '%', a link cut in half by a mail client): the
    // router refuses it with a 400 whose message quotes the token, so that message is never logged.
    if ((err as { status?: unknown }).status === 400) {
      return html(
        res,
        400,
        page('This link is incomplete', [
          'This address cannot be read. Open the link from the email again, or copy the whole address.',
        ]),
      );
    }
    const unreachable = unreachableDependency(err);
    deps.logger.error({ err: withoutLinkTokens(err) }, 'action link failed');
    html(
      res,
      unreachable ? 503 : 500,
      page('Please try again shortly', ['Something went wrong on our side and nothing was changed.']),
    );
  });

  return routes;
}
