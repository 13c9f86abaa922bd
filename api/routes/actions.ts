import { Router, type NextFunction, type Request, type Response } from 'express';
import {
  claimActionToken,
  findActionToken,
  releaseActionToken,
  type ActionToken,
} from '../../db/action-tokens';
import { findInternship, findInternshipContact } from '../../db/internships';
import { respondToOfferUpdate } from '../../workflows/definitions';
import type { AppDeps } from '../app';
import { page } from '../pages';
import { unreachableDependency } from '../problem';
import { problemFromUpdateFailure } from '../workflow-errors';

/** What each link does, in words for its page. */
const ACTIONS: Record<string, { question: string; button: string; done: string; past: string }> = {
  'offer.accept': {
    question: 'Accept the offer for "%s"?',
    button: 'Accept the offer',
    done: 'You accepted the offer. The employer has been told and will be in touch.',
    past: 'accepted',
  },
  'offer.decline': {
    question: 'Decline the offer for "%s"?',
    button: 'Decline the offer',
    done: 'You declined the offer. Thank you for letting the employer know.',
    past: 'declined',
  },
};

const TOKEN_SHAPE = /^mi_[A-Za-z0-9_-]{43}$/;

const formatUsd = (cents: number) => `$${(cents / 100).toFixed(2)}`;
const formatWhen = (date: Date) =>
  date.toLocaleString('en-US', { dateStyle: 'full', timeStyle: 'short', timeZone: 'UTC' }) + ' UTC';

/**
 * Email links (DESIGN §4). GET only shows the decision and a button, so link scanners that fetch or
 * render the page change nothing; POST performs it once.
 */
export function actionRoutes(deps: AppDeps): Router {
  const router = Router();
  const html = (res: Response, status: number, body: string) => {
    res.status(status).type('html').setHeader('Cache-Control', 'no-store').send(body);
  };
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

  const postingOf = (token: ActionToken) => findInternshipContact(deps.db, token.internshipId);

  router.get('/actions/:token', async (req, res) => {
    const raw = req.params.token;
    const token = TOKEN_SHAPE.test(raw) ? await findActionToken(deps.db, raw) : undefined;
    const action = token && ACTIONS[token.action];
    if (!token || !action) return forged(res);
    if (token.usedAt) return alreadyDone(res, token);
    if (token.expiresAt.getTime() <= Date.now()) return expired(res);
    const posting = await postingOf(token);
    const internship = await findInternship(deps.db, token.internshipId);
    const title = posting?.title ?? 'this micro-internship';
    const context =
      posting && internship
        ? `${posting.companyName} chose you for this paid micro-internship: ${formatUsd(internship.feeCents)} for about ${internship.estimatedHours} hours of work.`
        : '';
    html(
      res,
      200,
      page(
        action.question.replace('%s', title),
        [context, `Please answer by ${formatWhen(token.expiresAt)}.`].filter(Boolean),
        {
          action: `/actions/${raw}`,
          button: action.button,
        },
      ),
    );
  });

  router.post('/actions/:token', async (req, res) => {
    const raw = req.params.token;
    if (!TOKEN_SHAPE.test(raw)) return forged(res);
    const claimed = await claimActionToken(deps.db, raw);
    if (!claimed) {
      const token = await findActionToken(deps.db, raw);
      if (!token || !ACTIONS[token.action]) return forged(res);
      if (token.usedAt) return alreadyDone(res, token);
      return expired(res);
    }
    const action = ACTIONS[claimed.action]!;
    const internship = await findInternship(deps.db, claimed.internshipId);
    try {
      await deps.temporal.workflow.getHandle(internship!.workflowId).executeUpdate(respondToOfferUpdate, {
        args: [{ studentId: claimed.actorId, accept: claimed.action === 'offer.accept', via: 'email' }],
      });
    } catch (err) {
      if (unreachableDependency(err)) {
        // Nothing happened: give the link back so the person can try again.
        await releaseActionToken(deps.db, claimed.decisionKey);
        return html(
          res,
          503,
          page('Please try again shortly', [
            'We could not record your answer just now. Nothing was changed.',
          ]),
        );
      }
      if (problemFromUpdateFailure(err)) {
        return html(
          res,
          409,
          page('This decision is closed', [
            'This offer can no longer be answered: it has lapsed or was already answered.',
          ]),
        );
      }
      throw err;
    }
    html(res, 200, page('Done', [action.done]));
  });

  // People arrive here from email, not from an API client: failures get a page, never JSON or a trace.
  router.use('/actions', (err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const unreachable = unreachableDependency(err);
    deps.logger.error({ err }, 'action link failed');
    html(
      res,
      unreachable ? 503 : 500,
      page('Please try again shortly', ['Something went wrong on our side and nothing was changed.']),
    );
  });

  return router;
}
