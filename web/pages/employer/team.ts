/**
 * The organisation's team: its members (GET /v1/employers/:id/members), inviting someone by email
 * (POST, which emails them a sign-in link) and removing a member (DELETE); owners and admins manage it.
 */
import type { FieldErrors } from '../../api-client';
import type { PageContext } from '../../context';
import { errorSummary, field, one, postForm } from '../../forms';
import { html } from '../../html';
import { timeTag } from '../../time';
import { notFound, organisationViewer } from './shared';

interface Member {
  accountId: string;
  email: string | null;
  name: string | null;
  role: 'owner' | 'admin' | 'member';
  joined: boolean;
  createdAt: string;
}

const LABELS = { email: 'Email address', name: 'Name (optional)', role: 'Role' };
const ROLES = ['member', 'admin', 'owner'] as const;
const ID = /^[0-9a-f-]{36}$/i;

async function teamPage(
  ctx: PageContext,
  tried: Record<string, string> = {},
  errors: FieldErrors = {},
  detail?: string,
  status = 200,
): Promise<void> {
  const viewer = organisationViewer(ctx);
  if (!viewer) return;
  const answer = await ctx.api<{ items: Member[] }>(`/v1/employers/${viewer.organisation.id}/members`);
  if (answer.status !== 200) return ctx.fail(answer);
  const manages = viewer.title === 'owner' || viewer.title === 'admin';
  const rows = answer.body.items.map(
    (m) =>
      html`<li>
        <h2>${m.name ?? m.email}</h2>
        <dl class="facts">
          <dt>Email</dt>
          <dd>${m.email ?? '—'}</dd>
          <dt>Role</dt>
          <dd>${m.role}</dd>
          <dt>Since</dt>
          <dd>${m.joined ? timeTag(m.createdAt, ctx.zone) : 'Invited, not signed in yet'}</dd>
        </dl>
        ${
          manages && m.accountId !== viewer.accountId
            ? postForm({
                action: `/app/employer/team/${m.accountId}/remove`,
                csrfToken: viewer.csrfToken,
                fields: html``,
                submit: `Remove ${m.name ?? m.email ?? 'this member'}`,
              })
            : ''
        }
      </li>`,
  );
  const roleError = errors.role;
  const invite = manages
    ? html`<h2>Invite someone</h2>
        ${errorSummary(errors, LABELS, detail)}
        ${postForm({
          action: '/app/employer/team',
          csrfToken: viewer.csrfToken,
          fields: html`${field({ name: 'email', label: LABELS.email, type: 'email', value: tried.email, autocomplete: 'off' }, errors)}
            ${field({ name: 'name', label: LABELS.name, value: tried.name }, errors)}
            <div class="field${roleError ? ' has-error' : ''}">
              <label for="f-role">${LABELS.role}</label>
              ${roleError ? html`<p class="error" id="f-role-error">${roleError}</p>` : ''}
              <select id="f-role" name="role">
                ${ROLES.map((r) => html`<option value="${r}" ${tried.role === r ? html`selected` : ''}>${r}</option>`)}
              </select>
            </div>`,
          submit: 'Send the invitation',
        })}`
    : html`<p>Only the organisation's owners and admins invite and remove members.</p>`;
  ctx.render(
    `Your team at ${viewer.organisation.companyName}`,
    html`<ul class="cards">
        ${rows}
      </ul>
      ${invite}`,
    status,
  );
}

export const showTeam = (ctx: PageContext) => teamPage(ctx);

export async function invite(ctx: PageContext): Promise<void> {
  const viewer = organisationViewer(ctx);
  if (!viewer) return;
  const tried = {
    email: one(ctx.form, 'email').trim(),
    name: one(ctx.form, 'name').trim(),
    role: one(ctx.form, 'role'),
  };
  const answer = await ctx.api(`/v1/employers/${viewer.organisation.id}/members`, {
    method: 'POST',
    body: { email: tried.email, ...(tried.name ? { name: tried.name } : {}), role: tried.role },
  });
  if (answer.status === 201) return ctx.redirect('/app/employer/team', 'invited');
  if (answer.status === 409 || answer.status === 422) {
    return teamPage(ctx, tried, answer.fieldErrors, answer.detail, answer.status);
  }
  ctx.fail(answer);
}

export async function remove(ctx: PageContext): Promise<void> {
  const viewer = organisationViewer(ctx);
  if (!viewer) return;
  const accountId = String(ctx.req.params.accountId);
  if (!ID.test(accountId)) return ctx.fail(notFound);
  const answer = await ctx.api(`/v1/employers/${viewer.organisation.id}/members/${accountId}`, {
    method: 'DELETE',
  });
  if (answer.status === 204) return ctx.redirect('/app/employer/team', 'member-removed');
  if (answer.status === 409) return teamPage(ctx, {}, {}, answer.detail, 409);
  ctx.fail(answer);
}
