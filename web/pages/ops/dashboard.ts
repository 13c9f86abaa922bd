/**
 * What waits on ops staff (GET /v1/admin/queue): overdue decisions, disputes with the share to
 * decide, fee exceptions to approve or decline, payouts waiting for an account; each with its run in
 * the Temporal UI and its audit trail.
 */
import type { z } from 'zod';
import type { opsQueueResponse } from '../../../api/schemas';
import { viewerAs, type PageContext } from '../../context';
import { money } from '../../forms';
import { html, type Html } from '../../html';
import { timeTag } from '../../time';
import { STATUS_WORDS } from '../student/posting-facts';

type Queue = z.infer<typeof opsQueueResponse>;
type Item = Queue['openDisputes'][number];

const SECTIONS: { key: keyof Queue; title: string; empty: string; since: string }[] = [
  { key: 'openDisputes', title: 'Disputes to resolve', empty: 'No open disputes.', since: 'Since' },
  {
    key: 'overdueDecisions',
    title: 'Overdue decisions',
    empty: 'No decision is overdue.',
    since: 'Deadline passed',
  },
  {
    key: 'feeExceptions',
    title: 'Fee exceptions to decide',
    empty: 'No fee below the floor is waiting.',
    since: 'Waiting since',
  },
  {
    key: 'payoutsWaiting',
    title: 'Payouts waiting for an account',
    empty: 'No payout is waiting.',
    since: 'Since',
  },
];

/** The workflow's run in the Temporal UI, as the API links it (run id included), or why there is none. */
export function temporalLink(item: { title: string; temporalUi: string | null }): Html {
  return item.temporalUi
    ? html`<a href="${item.temporalUi}" rel="noopener" class="temporal"
        >Workflow in the Temporal UI<span class="visually-hidden"> of ${item.title}</span></a
      >`
    : html`<span>The Temporal UI link is unavailable now</span>`;
}

/** The links every row has: its workflow's run in the Temporal UI, and its audit trail. */
export function workflowLinks(item: {
  internshipId: string;
  title: string;
  temporalUi: string | null;
}): Html {
  return html`<div class="actions">
    ${temporalLink(item)}
    <a href="/app/ops/internships/${item.internshipId}" class="audit"
      >Audit trail<span class="visually-hidden"> of ${item.title}</span></a
    >
  </div>`;
}

/** A fee below the floor: approve or decline, each on a page that states the fee before it is sent. */
function feeDecisionLinks(item: Item): Html {
  const to = (decision: string) =>
    `/app/ops/internships/${item.internshipId}/fee-exception?decision=${decision}`;
  const hidden = html`<span class="visually-hidden"> for ${item.title}</span>`;
  return html`<div class="actions fee-decision">
    <a class="button" href="${to('approve')}">Approve the fee${hidden}</a>
    <a class="button secondary" href="${to('decline')}">Decline the fee${hidden}</a>
  </div>`;
}

/** A dispute's share, asked as a percentage; the next page states the amounts before anything moves. */
function shareForm(item: Item): Html {
  const id = `share-${item.internshipId}`;
  return html`<form
    method="get"
    action="/app/ops/internships/${item.internshipId}/resolve"
    class="search"
    novalidate
  >
    <div class="field">
      <label for="${id}">Student’s share of the fee (%)</label>
      <p class="hint" id="${id}-hint">0 refunds everything to the employer; 100 pays the student in full.</p>
      <input
        id="${id}"
        name="studentSharePct"
        type="number"
        inputmode="numeric"
        min="0"
        max="100"
        step="1"
        aria-describedby="${id}-hint"
      />
    </div>
    <div class="actions"><button type="submit">See the amounts</button></div>
  </form>`;
}

function row(ctx: PageContext, key: keyof Queue, since: string, item: Item): Html {
  return html`<li data-internship="${item.internshipId}">
    <h3>${item.title}</h3>
    <dl class="facts">
      <dt>Status</dt>
      <dd>${STATUS_WORDS[item.status] ?? item.status}</dd>
      <dt>Fee</dt>
      <dd>${money(item.feeCents)}</dd>
      <dt>${since}</dt>
      <dd>${timeTag(item.since, ctx.zone)}</dd>
      <dt>Workflow</dt>
      <dd><code>${item.workflowId}</code></dd>
    </dl>
    ${workflowLinks(item)} ${key === 'openDisputes' ? shareForm(item) : ''}
    ${key === 'feeExceptions' ? feeDecisionLinks(item) : ''}
  </li>`;
}

export async function dashboard(ctx: PageContext): Promise<void> {
  if (!viewerAs(ctx, 'ops')) return;
  const answer = await ctx.api<Queue>('/v1/admin/queue');
  if (answer.status !== 200) return ctx.fail(answer);
  const queue = answer.body;
  const sections = SECTIONS.map(({ key, title, empty, since }) => {
    const items = queue[key];
    return html`<section aria-labelledby="q-${key}" id="${key}">
      <h2 id="q-${key}">${title} (${items.length})</h2>
      ${
        items.length
          ? html`<ul class="cards">
              ${items.map((item) => row(ctx, key, since, item))}
            </ul>`
          : html`<p>${empty}</p>`
      }
    </section>`;
  });
  ctx.render(
    'Waiting on ops',
    html`<p>Oldest first. Times in ${ctx.zone}.</p>
      ${sections}`,
  );
}
