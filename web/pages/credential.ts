/**
 * The public pages of credentials, for anyone, signed in or not:
 * - /c/:credentialId, the address a credential's Open Badge names as its id: what it states and
 *   whether it verifies (GET /v1/credentials/:id), the badge to download and the keys that verify it
 *   without us. Link-preview tags make it read well when shared.
 * - /p/:studentId, a student's portfolio: the verified credentials they listed in it
 *   (GET /v1/students/:id/portfolio), each linking to its page.
 * A private or unknown credential, or a student who listed nothing, is a plain 404.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { asRoute, statusPage, type PageContext } from '../context';
import { html, type Html } from '../html';
import { layout } from '../layout';
import { timeTag } from '../time';
import { skillTags } from './student/posting-facts';

/** The credential view of the API (api/routes/follow-up.ts, credentialView). */
export interface CredentialView {
  credentialId: string;
  valid: boolean;
  page: string;
  issuedAt: string;
  credential: {
    student: { name?: string };
    employer: string;
    title: string;
    skills: string[];
    endorsedSkills: string[];
    skillsPractised?: string[];
    startedAt: string | null;
    completedAt: string;
    employerRating?: number;
  } | null;
  badge: {
    url: string;
    issuer: string;
    verificationMethod: string | null;
    jwks: string;
    didDocument: string;
  };
}

const ID = /^[0-9a-f-]{36}$/i;

function send(ctx: PageContext, title: string, main: Html, status: number, head?: Html): void {
  ctx.res
    .status(status)
    .type('html')
    // Its student may make it private at any time: asked for again each time.
    .setHeader('Cache-Control', 'no-cache')
    .send(layout({ title, viewer: undefined, path: ctx.req.path, main, ...(head ? { head } : {}) }));
}

const list = (items: string[] | undefined, none: string): Html =>
  items && items.length > 0 ? skillTags(items) : html`${none}`;

/** What a shared link shows before it is opened (Open Graph, and Twitter's summary card). */
function previewTags(page: string, title: string, description: string, type = 'website'): Html {
  return html`<link rel="canonical" href="${page}" />
    <meta name="description" content="${description}" />
    <meta property="og:type" content="${type}" />
    <meta property="og:site_name" content="Micro-internships" />
    <meta property="og:title" content="${title}" />
    <meta property="og:description" content="${description}" />
    <meta property="og:url" content="${page}" />
    <meta name="twitter:card" content="summary" />
    <meta name="twitter:title" content="${title}" />
    <meta name="twitter:description" content="${description}" />`;
}

export function credentialPage(ctx: PageContext, view: CredentialView): void {
  const c = view.credential;
  const name = c?.student.name ?? 'A student';
  const title = c ? `${name}: ${c.title}` : 'A completion credential';
  const result = view.valid
    ? html`<div class="notice verified" role="status">
        <p>
          <strong>Verified.</strong> This credential is exactly as the platform issued it: its signature
          matches.
        </p>
      </div>`
    : html`<div class="error-summary" role="alert">
        <h2>Not verified</h2>
        <p>What is stored here does not match its signature. Do not rely on it.</p>
      </div>`;
  const description = c
    ? `${view.valid ? 'Verified' : 'Unverified'} credential: ${name} completed the paid micro-internship “${c.title}” for ${c.employer}.${c.endorsedSkills.length ? ` Endorsed: ${c.endorsedSkills.join(', ')}.` : ''}`
    : 'A micro-internship completion credential.';
  const facts = c
    ? html`<dl class="facts">
        <dt>Student</dt>
        <dd>${name}</dd>
        <dt>Micro-internship</dt>
        <dd>${c.title}</dd>
        <dt>Employer</dt>
        <dd>${c.employer}</dd>
        <dt>Started</dt>
        <dd>${timeTag(c.startedAt, ctx.zone)}</dd>
        <dt>Completed</dt>
        <dd>${timeTag(c.completedAt, ctx.zone)}</dd>
        <dt>Skills</dt>
        <dd>${list(c.skills, '—')}</dd>
        <dt>Endorsed by the employer</dt>
        <dd>${list(c.endorsedSkills, 'None yet')}</dd>
        ${
          c.skillsPractised?.length
            ? html`<dt>Skills the student practised</dt>
                <dd>${list(c.skillsPractised, '—')}</dd>`
            : ''
        }
        ${
          c.employerRating !== undefined
            ? html`<dt>The employer’s rating</dt>
                <dd>${c.employerRating} out of 5</dd>`
            : ''
        }
        <dt>Issued</dt>
        <dd>${timeTag(view.issuedAt, ctx.zone)}</dd>
      </dl>`
    : '';
  const main = html`${result}${facts}
    <h2>Verify it yourself</h2>
    <p>
      The credential is an Open Badges 3.0 Verifiable Credential, signed with Ed25519. Any JOSE library
      verifies it against the platform’s published keys (algorithm EdDSA; the key is named by the
      <code>kid</code> in its header), without asking us.
    </p>
    <ul class="choices">
      <li>
        <a class="button" href="${view.badge.url}" download="credential-${view.credentialId}.jwt"
          >Download the badge (VC-JWT)</a
        >
      </li>
      <li><a href="${view.badge.jwks}">The public keys (JWKS)</a></li>
      <li><a href="${view.badge.didDocument}">The issuer’s DID document (${view.badge.issuer})</a></li>
    </ul>`;
  send(ctx, title, main, 200, previewTags(view.page, title, description));
}

async function showCredential(ctx: PageContext): Promise<void> {
  const id = String(ctx.req.params.credentialId);
  const answer = ID.test(id) ? await ctx.api<CredentialView>(`/v1/credentials/${id}`) : undefined;
  if (answer?.status === 200) return credentialPage(ctx, answer.body);
  const status = answer?.status === 503 ? 503 : 404;
  const page = statusPage(status, undefined);
  send(ctx, page.title, page.main, status);
}

interface Portfolio {
  student: { id: string; name: string };
  items: CredentialView[];
}

function portfolioPage(ctx: PageContext, { student, items }: Portfolio): void {
  const title = `${student.name}: verified micro-internships`;
  const cards = items.map((view) => {
    const c = view.credential;
    return html`<li>
      <h2><a href="${view.page}">${c?.title ?? 'A micro-internship'}</a></h2>
      <dl class="facts">
        <dt>Employer</dt>
        <dd>${c?.employer ?? '—'}</dd>
        <dt>Completed</dt>
        <dd>${c ? timeTag(c.completedAt, ctx.zone) : '—'}</dd>
        <dt>Endorsed by the employer</dt>
        <dd>${list(c?.endorsedSkills, 'None yet')}</dd>
        <dt>Signature</dt>
        <dd>${view.valid ? 'Verified' : 'Does not verify'}</dd>
      </dl>
    </li>`;
  });
  const description = `${student.name} completed ${items.length} paid micro-internship${items.length === 1 ? '' : 's'}, each with a verifiable credential.`;
  const page = portfolioUrlOf(items[0]!.page, student.id);
  const main = html`<p>${description} Open one to see what it states and to verify it yourself.</p>
    <ul class="cards">
      ${cards}
    </ul>`;
  send(ctx, title, main, 200, previewTags(page, title, description, 'profile'));
}

/** The portfolio's public address beside a credential's (both under the site's public origin). */
const portfolioUrlOf = (credentialPage: string, studentId: string) =>
  new URL(`/p/${studentId}`, credentialPage).toString();

async function showPortfolio(ctx: PageContext): Promise<void> {
  const id = String(ctx.req.params.studentId);
  const answer = ID.test(id) ? await ctx.api<Portfolio>(`/v1/students/${id}/portfolio`) : undefined;
  if (answer?.status === 200 && answer.body.items.length > 0) return portfolioPage(ctx, answer.body);
  const status = answer?.status === 503 ? 503 : 404;
  const page = statusPage(status, undefined);
  send(ctx, page.title, page.main, status);
}

/** Mounted at the site's root: these addresses are outside /app. */
export function credentialPages(): Router {
  const router = express.Router();
  router.get('/c/:credentialId', asRoute(showCredential));
  router.get('/p/:studentId', asRoute(showPortfolio));
  // A page that failed is answered with a page (the API away: try again), never JSON.
  router.use(['/c', '/p'], (_err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return;
    const page = statusPage(503, undefined);
    res
      .status(503)
      .type('html')
      .send(layout({ title: page.title, viewer: undefined, path: req.path, main: page.main }));
  });
  return router;
}
