/**
 * The employer's decisions on a posting, each shown only while the workflow would take it (the
 * progress' nextActions): paying after a failed charge, reviewing the work, an extension, a missed
 * deadline, cancelling with the kill fee, feedback and the hiring offer. Every one that moves money
 * first states the amount and asks again.
 */
import type { FieldErrors } from '../../api-client';
import type { PageContext } from '../../context';
import { errorSummary, field, money, postForm } from '../../forms';
import { html, type Html } from '../../html';
import { timeTag } from '../../time';
import { postingPath, type Posting, type Progress } from './shared';

/** A decision the API refused: which form, what was typed, the API's messages. */
export interface Attempt {
  form: string;
  values: Record<string, string>;
  errors: FieldErrors;
  detail?: string | undefined;
}

const HIRING_LABELS: Record<string, string> = {
  role: 'Role',
  type: 'Kind of job',
  payCents: 'Pay in US dollars',
  payPeriod: 'Per',
  startDate: 'Start date',
  expiresAt: 'The offer is open until',
};
const REVIEW_LABELS = { comments: 'What should change, or why you reject it' };
const FEEDBACK_LABELS = {
  rating: 'Rating',
  comment: 'Your feedback',
  endorsedSkills: 'Skills the student showed',
};

export function select(
  name: string,
  label: string,
  options: [string, string][],
  chosen: string | undefined,
  errors: FieldErrors,
) {
  const id = `f-${name}`;
  return html`<div class="field${errors[name] ? ' has-error' : ''}">
    <label for="${id}">${label}</label>
    ${errors[name] ? html`<p class="error" id="${id}-error">${errors[name]}</p>` : ''}
    <select
      id="${id}"
      name="${name}"
      ${errors[name] ? html`aria-describedby="${id}-error" aria-invalid="true"` : ''}
    >
      ${options.map(([value, text]) => html`<option value="${value}" ${chosen === value ? html`selected` : ''}>${text}</option>`)}
    </select>
  </div>`;
}

/** A posting's decision sections share what they are drawn from. */
interface Here {
  ctx: PageContext;
  p: Posting;
  progress: Progress;
  csrfToken: string;
  at: string;
  can: (action: Progress['nextActions'][number]) => boolean;
  of: (form: string) => Attempt | undefined;
  errorsOf: (form: string) => FieldErrors;
  valuesOf: (form: string) => Record<string, string>;
}

function paySection(h: Here): Html {
  const { ctx, p, can, of, csrfToken, at } = h;
  if (!can('pay')) {
    return html``;
  }
  return html`<h2>Pay the fee</h2>
    ${errorSummary({}, {}, of('pay')?.detail)}
    <p>
      The charge to your saved card failed. Pay by ${timeTag(p.deadlines.next, ctx.zone)} or the engagement is
      cancelled.
    </p>
    ${postForm({ action: `${at}/pay`, csrfToken, fields: html``, submit: `Pay ${money(p.feeCents)} now` })}`;
}

function reviewSection(h: Here): Html {
  const { ctx, progress, can, of, errorsOf, valuesOf, csrfToken, at } = h;
  if (!(progress.submission && (can('approve') || can('request-changes') || can('reject')))) {
    return html``;
  }
  const s = progress.submission;
  return html`<h2>Review the work</h2>
    <dl class="facts">
      <dt>Submitted</dt>
      <dd>${timeTag(s.submittedAt, ctx.zone)}</dd>
      <dt>Deliverable</dt>
      <dd><a href="${s.url}" rel="noopener noreferrer">${s.url}</a></dd>
    </dl>
    <p class="prose">${s.notes}</p>
    <p>
      Rounds of changes asked: ${progress.changeRounds.used} of ${progress.changeRounds.max}. Silence approves
      when the review window ends.
    </p>
    ${errorSummary(errorsOf('review'), REVIEW_LABELS, of('review')?.detail)}
    ${can('approve') ? postForm({ action: `${at}/review`, csrfToken, hidden: { decision: 'approve' }, fields: html``, submit: 'Approve the work' }) : ''}
    ${
      can('request-changes') || can('reject')
        ? postForm({
            action: `${at}/review`,
            csrfToken,
            fields: html`${field({ name: 'comments', label: REVIEW_LABELS.comments, rows: 4, value: valuesOf('review').comments }, errorsOf('review'))}`,
            submit: can('request-changes') ? 'Ask for changes' : 'Reject the work',
            hidden: { decision: can('request-changes') ? 'request_changes' : 'reject' },
          })
        : ''
    }`;
}

function extensionSection(h: Here): Html {
  const { ctx, progress, can, of, csrfToken, at } = h;
  if (!(progress.extensionRequest && can('decide-extension'))) {
    return html``;
  }
  const e = progress.extensionRequest;
  return html`<h2>The student asks for more time</h2>
    ${errorSummary({}, {}, of('extension')?.detail)}
    <p>New due date: ${timeTag(e.newDueAt, ctx.zone)}.</p>
    <p class="prose">${e.reason}</p>
    <div class="choices">
      ${postForm({ action: `${at}/extension`, csrfToken, hidden: { approve: 'yes' }, fields: html``, submit: 'Give more time' })}
      ${postForm({ action: `${at}/extension`, csrfToken, hidden: { approve: 'no' }, fields: html``, submit: 'Keep the due date' })}
    </div>`;
}

function missedSection(h: Here): Html {
  const { ctx, p, progress, can, of, errorsOf, valuesOf, csrfToken, at } = h;
  if (!(progress.missedDeadline && can('decide-missed-deadline'))) {
    return html``;
  }
  const withdrew = progress.missedDeadline.studentWithdrew;
  const errors = errorsOf('missed');
  return html`<h2>${withdrew ? 'The student withdrew' : 'The due date passed without the work'}</h2>
    ${errorSummary(errors, { newDueAt: 'New due date and time' }, of('missed')?.detail)}
    <p>Choose how to go on. The fee of ${money(p.feeCents)} stays held until you decide.</p>
    ${
      withdrew
        ? ''
        : postForm({
            action: `${at}/missed-deadline`,
            csrfToken,
            hidden: { choice: 'extend' },
            fields: field(
              {
                name: 'newDueAt',
                label: 'New due date and time',
                type: 'datetime-local',
                value: valuesOf('missed').newDueAt,
                hint: `In your time zone (${ctx.zone})`,
              },
              errors,
            ),
            submit: 'Give a new due date',
          })
    }
    ${postForm({ action: `${at}/missed-deadline`, csrfToken, hidden: { choice: 'reselect' }, fields: html``, submit: 'Choose another applicant' })}
    ${postForm({ action: `${at}/missed-deadline`, csrfToken, hidden: { choice: 'cancel' }, fields: html``, submit: 'Cancel and get the fee back' })}`;
}

function cancelSection(h: Here): Html {
  const { progress, can, at } = h;
  if (!can('cancel')) {
    return html``;
  }
  return html`<h2>Cancel the work</h2>
    <p>
      Cancelling now pays the student a kill fee of ${money(progress.killFee.killFeeCents)}
      (${progress.killFee.pct}% of the fee) and refunds you ${money(progress.killFee.refundCents)}.
    </p>
    <p><a class="button secondary" href="${at}/cancel">Cancel this micro-internship</a></p>`;
}

function feedbackSection(h: Here): Html {
  const { p, progress, can, of, errorsOf, valuesOf, csrfToken, at } = h;
  if (!can('give-feedback')) {
    if (progress.feedbackGiven.employer) {
      return html`<h2>Your feedback</h2>
        <p>You gave your feedback.</p>`;
    }
    return html``;
  }
  const errors = errorsOf('feedback');
  const v = valuesOf('feedback');
  return html`<h2>Your feedback on the student</h2>
    ${errorSummary(errors, FEEDBACK_LABELS, of('feedback')?.detail)}
    <p>Double-blind: the student sees it once they have given theirs, or after 14 days.</p>
    ${postForm({
      action: `${at}/feedback`,
      csrfToken,
      fields: html`${select(
        'rating',
        FEEDBACK_LABELS.rating,
        [
          ['5', '5: excellent'],
          ['4', '4: good'],
          ['3', '3: fair'],
          ['2', '2: poor'],
          ['1', '1: very poor'],
        ],
        v.rating,
        errors,
      )}
      ${field({ name: 'comment', label: FEEDBACK_LABELS.comment, rows: 4, value: v.comment }, errors)}
      ${field({ name: 'endorsedSkills', label: FEEDBACK_LABELS.endorsedSkills, value: v.endorsedSkills ?? p.skills.join(', '), hint: 'Separate them with commas' }, errors)}`,
      submit: 'Send feedback',
    })}`;
}

export function decisionForms(ctx: PageContext, p: Posting, progress: Progress, attempt?: Attempt): Html {
  const of = (form: string) => (attempt?.form === form ? attempt : undefined);
  const h: Here = {
    ctx,
    p,
    progress,
    csrfToken: ctx.viewer!.csrfToken,
    at: postingPath(p.id),
    can: (action) => progress.nextActions.includes(action),
    of,
    errorsOf: (form) => of(form)?.errors ?? {},
    valuesOf: (form) => of(form)?.values ?? {},
  };
  const sections = [
    paySection,
    reviewSection,
    extensionSection,
    missedSection,
    cancelSection,
    feedbackSection,
  ];
  return html`${sections.map((section) => section(h))}${hiringOffer(ctx, p, progress, of('hiring'))}`;
}

const HIRING_WORDS = {
  accepted: 'The student accepted your offer.',
  declined: 'The student declined your offer.',
  expired: 'The offer expired unanswered.',
};

function hiringOffer(ctx: PageContext, p: Posting, progress: Progress, attempt: Attempt | undefined): Html {
  const offer = progress.hiringOffer;
  if (offer && offer.response !== 'expired') {
    return html`<h2>Your hiring offer</h2>
      <p class="hiring-status">
        ${offer.response ? HIRING_WORDS[offer.response] : html`Waiting for the student's answer, until ${timeTag(offer.expiresAt, ctx.zone)}.`}
      </p>
      <dl class="facts">
        <dt>Role</dt>
        <dd>${offer.role}</dd>
        <dt>Pay</dt>
        <dd>${money(offer.payCents)} a ${offer.payPeriod}</dd>
        <dt>Start</dt>
        <dd>${offer.startDate}</dd>
      </dl>`;
  }
  if (!progress.nextActions.includes('make-hiring-offer')) return html``;
  const errors = attempt?.errors ?? {};
  const v = attempt?.values ?? {};
  const f = (name: string, spec: Partial<Parameters<typeof field>[0]> = {}) =>
    field({ name, label: HIRING_LABELS[name] ?? name, value: v[name], ...spec }, errors);
  return html`<h2>Offer the student a job</h2>
    ${errorSummary(errors, HIRING_LABELS, attempt?.detail)}
    ${postForm({
      action: `${postingPath(p.id)}/hiring-offer`,
      csrfToken: ctx.viewer!.csrfToken,
      fields: html`${f('role')}
      ${select(
        'type',
        HIRING_LABELS.type!,
        [
          ['full_time', 'Full time'],
          ['part_time', 'Part time'],
          ['internship', 'Internship'],
          ['contract', 'Contract'],
        ],
        v.type,
        errors,
      )}
      ${field({ name: 'pay', errorKey: 'payCents', label: HIRING_LABELS.payCents!, value: v.pay, inputmode: 'numeric' }, errors)}
      ${select(
        'payPeriod',
        HIRING_LABELS.payPeriod!,
        [
          ['year', 'year'],
          ['month', 'month'],
          ['hour', 'hour'],
        ],
        v.payPeriod,
        errors,
      )}
      ${f('startDate', { type: 'date' })}
      ${f('expiresAt', { type: 'datetime-local', hint: `In your time zone (${ctx.zone}); at most 30 days from now` })}`,
      submit: 'Send the offer',
    })}`;
}
