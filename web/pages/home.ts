/** /app: where each person starts. */
import express, { type Router } from 'express';
import { asRoute, type PageContext } from '../context';
import { html } from '../html';
import type { Viewer } from '../layout';

/** Where each role lands after signing in without a page to go back to: what waits on them. */
const LANDING: Record<Viewer['role'], string> = {
  student: '/app/postings',
  employer: '/app/employer/postings',
  ops: '/app/ops',
};

async function home(ctx: PageContext): Promise<void> {
  // Keeps the notice of the form that led here (signed in).
  const notice = typeof ctx.req.query.notice === 'string' ? ctx.req.query.notice : undefined;
  if (ctx.viewer) return ctx.redirect(LANDING[ctx.viewer.role], notice);
  await Promise.resolve();
  ctx.render(
    'Paid micro-internships',
    html`<p>
        Short, remote, paid projects with real employers: 5 to 40 hours, a fixed fee, one deliverable.
        Employers review applications blind: no name, no school, no GPA.
      </p>
      <ul class="choices">
        <li><a class="button" href="/app/postings">Browse postings</a></li>
        <li><a class="button secondary" href="/app/sign-up">Sign up as a student</a></li>
        <li><a class="button secondary" href="/app/sign-in">Sign in</a></li>
      </ul>`,
  );
}

export function homePage(): Router {
  const router = express.Router();
  router.get('/', asRoute(home));
  return router;
}
