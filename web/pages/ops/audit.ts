/**
 * One internship's audit trail for ops (GET /v1/internships/:id as staff): who did what, when, how;
 * and its run in the Temporal UI, as the API links it.
 */
import { viewerAs, type PageContext } from '../../context';
import { money } from '../../forms';
import { html } from '../../html';
import { timeTag } from '../../time';
import { STATUS_WORDS, type Posting } from '../student/posting-facts';
import { temporalLink } from './dashboard';
import { webPaths } from '../../../lib/web-paths';

const ID = /^[0-9a-f-]{36}$/i;
export const notFound = { status: 404, body: undefined, fieldErrors: {}, setCookies: [] };

interface AuditEntry {
  at: string;
  actor: { role: string; id: string | null; title: string | null; organisationId: string | null };
  channel: string;
  action: string;
  ref: string | null;
}

type OpsPosting = Posting & { auditTrail?: AuditEntry[] };

/** The internship as ops read it, or the page ends (not staff, unknown id). */
export async function internshipForOps(ctx: PageContext): Promise<OpsPosting | undefined> {
  if (!viewerAs(ctx, 'ops')) return undefined;
  const id = String(ctx.req.params.id);
  if (!ID.test(id)) return void ctx.fail(notFound);
  const answer = await ctx.api<OpsPosting>(`/v1/internships/${id}`);
  if (answer.status !== 200) return void ctx.fail(answer);
  return answer.body;
}

export async function auditTrail(ctx: PageContext): Promise<void> {
  const p = await internshipForOps(ctx);
  if (!p) return;
  const entries = p.auditTrail ?? [];
  const by = (a: AuditEntry['actor']) =>
    [a.title ? `${a.role} (${a.title})` : a.role, a.id ? `account ${a.id}` : ''].filter(Boolean).join(', ');
  ctx.render(
    `Audit trail: ${p.title}`,
    html`<dl class="facts">
        <dt>Status</dt>
        <dd>${STATUS_WORDS[p.status] ?? p.status}</dd>
        <dt>Fee</dt>
        <dd>${money(p.feeCents)}</dd>
        <dt>Workflow</dt>
        <dd>
          <code>${p.workflowId}</code> · ${temporalLink({ title: p.title, temporalUi: p.temporalUi ?? null })}
        </dd>
        <dt>Next deadline</dt>
        <dd>${timeTag(p.deadlines.next, ctx.zone)}</dd>
      </dl>
      ${waitingDecision(p.id, p.status)}
      <h2>What was done (${entries.length})</h2>
      ${
        entries.length
          ? html`<ol class="cards audit-trail">
              ${entries.map(
                (e) =>
                  html`<li>
                    <p><strong>${e.action}</strong> · ${timeTag(e.at, ctx.zone)}</p>
                    <p>
                      By ${by(e.actor)}, through ${e.channel}${e.ref ? html` · <code>${e.ref}</code>` : ''}
                    </p>
                  </li>`,
              )}
            </ol>`
          : html`<p>Nothing recorded yet.</p>`
      }
      <p><a href="/app/ops">Back to what waits on ops</a></p>`,
  );
}

/** The decision waiting on ops for this internship, if any: where the emails about it lead. */
function waitingDecision(id: string, status: string) {
  const at = webPaths.opsInternship(id);
  if (status === 'AwaitingApproval') {
    return html`<p>
      The fee waits for your decision:
      <a class="button" href="${at}/fee-exception?decision=approve">Approve the fee</a>
      <a href="${at}/fee-exception?decision=decline">Decline it</a>
    </p>`;
  }
  if (status === 'Disputed') {
    return html`<p>
      The dispute waits for your decision: <a class="button" href="${at}/resolve">Resolve the dispute</a>
    </p>`;
  }
  return html``;
}
