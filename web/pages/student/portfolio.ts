/**
 * The student's credentials (GET /v1/students/me/credentials), private ones too: who sees each, and
 * the choice to change it (PUT /v1/credentials/:id/sharing); once shared, the address of its public
 * page and its badge; the address of their public portfolio once they list one in it.
 */
import type { z } from 'zod';
import type { myCredentialPage } from '../../../api/schemas';
import type { FieldErrors } from '../../api-client';
import { viewerAs, type PageContext } from '../../context';
import { choices, errorSummary, one, postForm } from '../../forms';
import { html, type Html } from '../../html';
import { timeTag } from '../../time';

type Page = z.infer<typeof myCredentialPage>;
type Credential = Page['items'][number];

const ID = /^[0-9a-f-]{36}$/i;
const notFound = { status: 404, body: undefined, fieldErrors: {}, setCookies: [] };

/** The API's visibilities, each with what it means. */
const VISIBILITIES: [Credential['visibility'], string][] = [
  ['private', 'private: only you know it exists'],
  ['link', 'link: anyone with its address can open and verify it'],
  ['portfolio', 'portfolio: also listed in your public portfolio'],
];

/** The ids of a credential's choice, so each form's are its own. */
const keyOf = (c: { credentialId: string }) => `visibility-${c.credentialId}`;

/** A refused change, shown beside the credential it was for. */
interface Attempt {
  credentialId: string;
  errors: FieldErrors;
  detail?: string | undefined;
}

function credentialCard(ctx: PageContext, c: Credential, attempt?: Attempt): Html {
  const shared = c.visibility !== 'private';
  const message = attempt?.credentialId === c.credentialId ? attempt.errors.visibility : undefined;
  return html`<li>
    <h3>${c.title}</h3>
    <dl class="facts">
      <dt>Employer</dt>
      <dd>${c.employer}</dd>
      <dt>Completed</dt>
      <dd>${timeTag(c.completedAt, ctx.zone)}</dd>
      <dt>Who sees it</dt>
      <dd>${c.visibility}</dd>
      ${
        shared
          ? html`<dt>Its public page</dt>
              <dd><a href="${c.page}">${c.page}</a></dd>
              <dt>Its badge</dt>
              <dd>
                <a href="${c.badgeUrl}" download="credential-${c.credentialId}.jwt"
                  >Download the badge (VC-JWT)<span class="visually-hidden"> of ${c.title}</span></a
                >
              </dd>`
          : ''
      }
    </dl>
    ${postForm({
      action: `/app/portfolio/${c.credentialId}/sharing`,
      csrfToken: ctx.viewer?.csrfToken,
      fields: choices(
        'visibility',
        `Who sees “${c.title}”`,
        'radio',
        VISIBILITIES,
        [c.visibility],
        message,
        keyOf(c),
      ),
      submit: 'Save who sees it',
    })}
  </li>`;
}

function portfolioPage(ctx: PageContext, page: Page, cursor: string, attempt?: Attempt, status = 200) {
  const { items, nextCursor, portfolio } = page;
  const failed = items.find((c) => c.credentialId === attempt?.credentialId);
  const message = attempt?.errors.visibility;
  const summary = attempt
    ? errorSummary(
        failed && message ? { [keyOf(failed)]: message } : {},
        failed ? { [keyOf(failed)]: `Who sees “${failed.title}”` } : {},
        attempt.detail,
      )
    : '';
  const list = items.length
    ? html`<h2 class="visually-hidden">Your credentials</h2>
        <ul class="cards">
          ${items.map((c) => credentialCard(ctx, c, attempt))}
        </ul>`
    : html`<p>
        No credentials yet: each micro-internship you complete earns one, signed so that anyone can verify it.
        <a href="/app/postings">Browse open postings</a>.
      </p>`;
  const listed = portfolio
    ? html`<h2>Your public portfolio</h2>
        <p>
          The credentials you list in it, for anyone to read and verify:
          <a href="${portfolio}">${portfolio}</a>
        </p>`
    : '';
  ctx.render(
    'My credentials',
    html`${summary}
      <p>
        Each credential is private until you choose otherwise. Shared by link, anyone holding its address can
        open it and download its badge; listed in your portfolio, it also shows there.
      </p>
      ${list} ${listed}
      <nav class="pager" aria-label="Pages">
        ${cursor ? html`<a href="/app/portfolio">First page</a>` : html`<span></span>`}
        ${nextCursor ? html`<a href="/app/portfolio?cursor=${encodeURIComponent(nextCursor)}">Next page</a>` : ''}
      </nav>`,
    status,
  );
}

/** One page of the viewer's credentials, from `cursor`; undefined once the page has ended. */
async function credentialsOf(ctx: PageContext, cursor: string): Promise<Page | undefined> {
  const query = new URLSearchParams({ limit: '20', ...(cursor ? { cursor } : {}) });
  const answer = await ctx.api<Page>(`/v1/students/me/credentials?${query.toString()}`);
  if (answer.status !== 200) return void ctx.fail(answer);
  return answer.body;
}

export async function showPortfolio(ctx: PageContext): Promise<void> {
  if (!viewerAs(ctx, 'student')) return;
  const cursor = typeof ctx.req.query.cursor === 'string' ? ctx.req.query.cursor : '';
  const page = await credentialsOf(ctx, cursor);
  if (page) portfolioPage(ctx, page, cursor);
}

export async function changeSharing(ctx: PageContext): Promise<void> {
  if (!viewerAs(ctx, 'student')) return;
  const credentialId = String(ctx.req.params.credentialId);
  if (!ID.test(credentialId)) return ctx.fail(notFound);
  const visibility = one(ctx.form, 'visibility');
  const answer = await ctx.api(`/v1/credentials/${credentialId}/sharing`, {
    method: 'PUT',
    // Sent as chosen (or missing), for the API to say what is wrong with it.
    body: visibility ? { visibility } : {},
  });
  if (answer.status === 200) return ctx.redirect('/app/portfolio', `credential-${visibility}`);
  if (answer.status !== 422) return ctx.fail(answer);
  const page = await credentialsOf(ctx, '');
  if (!page) return;
  const attempt = { credentialId, errors: answer.fieldErrors, detail: answer.detail };
  portfolioPage(ctx, page, '', attempt, 422);
}
