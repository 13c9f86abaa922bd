/**
 * Forms whose only rules are the API's: each input has its label, its hint and the API's message for
 * it beside it; a summary at the top lists every error; money actions are confirmed with the amount.
 */
import { randomUUID } from 'node:crypto';
import type { FieldErrors } from './api-client';
import { html, type Html } from './html';

export interface FieldSpec {
  name: string;
  label: string;
  type?: 'text' | 'email' | 'number' | 'url' | 'search' | 'date' | 'datetime-local';
  value?: string | undefined;
  hint?: string;
  /** The API's name for it when that differs from the input's (the first answer: `answers.0`). */
  errorKey?: string;
  /** A textarea of this many rows. */
  rows?: number;
  autocomplete?: string;
  inputmode?: 'numeric' | 'email' | 'url' | 'text';
}

export const fieldId = (name: string) => `f-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;

/** One labelled input; the API's message for it (if any) beside it, tied by aria-describedby. */
export function field(spec: FieldSpec, errors: FieldErrors): Html {
  const id = fieldId(spec.errorKey ?? spec.name);
  const error = errors[spec.errorKey ?? spec.name];
  const described = [spec.hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  const common = html`id="${id}"
  name="${spec.name}"${described ? html` aria-describedby="${described}"` : ''}${
    error ? html` aria-invalid="true"` : ''
  }${spec.autocomplete ? html` autocomplete="${spec.autocomplete}"` : ''}`;
  const control = spec.rows
    ? html`<textarea ${common} rows="${spec.rows}">${spec.value ?? ''}</textarea>`
    : html`<input
        ${common}
        type="${spec.type ?? 'text'}"
        value="${spec.value ?? ''}"
        ${spec.inputmode ? html` inputmode="${spec.inputmode}"` : ''}
      />`;
  return html`<div class="field${error ? ' has-error' : ''}">
    <label for="${id}">${spec.label}</label>
    ${spec.hint ? html`<p class="hint" id="${id}-hint">${spec.hint}</p>` : ''}
    ${error ? html`<p class="error" id="${id}-error"><span class="visually-hidden">Error: </span>${error}</p>` : ''}
    ${control}
  </div>`;
}

function errorLine(id: string, message: string | undefined): Html {
  return message
    ? html`<p class="error" id="${id}-error"><span class="visually-hidden">Error: </span>${message}</p>`
    : html``;
}

/**
 * A group of radios or checkboxes under its legend, the API's message beside it. `key` names the
 * group's ids when the page shows the same field in more than one form (the summary links to it).
 */
export function choices(
  name: string,
  legend: string,
  type: 'radio' | 'checkbox',
  options: [string, string][],
  chosen: string[],
  message: string | undefined,
  key = name,
): Html {
  const id = fieldId(key);
  return html`<fieldset
    class="options${message ? ' has-error' : ''}"
    ${message ? html` aria-describedby="${id}-error"` : ''}
  >
    <legend>${legend}</legend>
    ${errorLine(id, message)}
    ${options.map(
      ([value, label], i) =>
        html`<p>
          <input
            type="${type}"
            id="${i === 0 ? id : `${id}-${i}`}"
            name="${name}"
            value="${value}"
            ${chosen.includes(value) ? html` checked` : ''}
          />
          <label for="${i === 0 ? id : `${id}-${i}`}">${label}</label>
        </p>`,
    )}
  </fieldset>`;
}

/**
 * Every error of the last attempt, at the top of the form, focused by app.js: each links to its
 * field when the form shows one (`labels` names them), else it is said as the API said it.
 */
export function errorSummary(errors: FieldErrors, labels: Record<string, string>, detail?: string): Html {
  const entries = Object.entries(errors);
  if (entries.length === 0 && !detail) return html``;
  const items = entries.map(([key, message]) =>
    labels[key]
      ? html`<li><a href="#${fieldId(key)}">${labels[key]}: ${message}</a></li>`
      : html`<li>${key}: ${message}</li>`,
  );
  return html`<div class="error-summary" role="alert" tabindex="-1" aria-labelledby="error-summary-title">
    <h2 id="error-summary-title">There is a problem</h2>
    ${detail && entries.length === 0 ? html`<p>${detail}</p>` : ''}
    ${
      entries.length
        ? html`<ul>
            ${items}
          </ul>`
        : ''
    }
  </div>`;
}

/**
 * What someone wrote in a form that could not be carried out (the posting closed meanwhile, their
 * session ended), given back read-only to copy, so that a long text is not lost with the form.
 */
export function writtenBack(fields: { label: string; value: string }[]): Html {
  const filled = fields.filter((f) => f.value.trim() !== '');
  if (filled.length === 0) return html``;
  return html`<section class="written-back" aria-labelledby="written-back-title">
    <h2 id="written-back-title">What you wrote</h2>
    <p>Nothing was sent. Copy it before you leave this page.</p>
    ${filled.map(
      (f, i) =>
        html`<p>
          <label for="written-${i}">${f.label}</label>
          <textarea id="written-${i}" readonly rows="4">${f.value}</textarea>
        </p>`,
    )}
  </section>`;
}

export interface PostForm {
  action: string;
  /** The session's CSRF token (absent for the forms of people not signed in). */
  csrfToken?: string | undefined;
  /** For a creating form: the Idempotency-Key its submit sends, made now. */
  idempotent?: boolean;
  fields: Html;
  submit: string;
  /** Extra hidden fields. */
  hidden?: Record<string, string>;
  secondary?: Html;
}

/** A POST form with its hidden CSRF token and Idempotency-Key. */
export function postForm(f: PostForm): Html {
  const hidden = Object.entries(f.hidden ?? {}).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`,
  );
  return html`<form method="post" action="${f.action}" novalidate>
    ${f.csrfToken ? html`<input type="hidden" name="_csrf" value="${f.csrfToken}" />` : ''}
    ${f.idempotent ? html`<input type="hidden" name="_key" value="${randomUUID()}" />` : ''} ${hidden}
    ${f.fields}
    <div class="actions"><button type="submit">${f.submit}</button>${f.secondary ?? ''}</div>
  </form>`;
}

/** Cents as people read dollars: 40000 → $400.00. */
export const money = (cents: number): string =>
  `$${(cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

export interface Confirmation {
  /** What will happen, stated with its amount, e.g. "Accept the offer and be paid $360.00 on approval". */
  question: string;
  amountCents: number;
  /** What the amount is, e.g. "You are paid, after the platform's 10%". */
  amountLabel: string;
  details?: Html;
  action: string;
  csrfToken: string;
  hidden: Record<string, string>;
  submit: string;
  cancelHref: string;
}

/** The step before any action that moves money: it says how much, and needs a second click. */
export function confirmation(c: Confirmation): Html {
  return html`<section class="confirm" aria-labelledby="confirm-title">
    <h2 id="confirm-title">${c.question}</h2>
    <p class="amount"><span>${c.amountLabel}</span> <strong>${money(c.amountCents)}</strong></p>
    ${c.details ?? ''}
    ${postForm({
      action: c.action,
      csrfToken: c.csrfToken,
      idempotent: true,
      hidden: { ...c.hidden, confirmed: 'yes' },
      fields: html``,
      submit: c.submit,
      secondary: html`<a class="button secondary" href="${c.cancelHref}">Go back</a>`,
    })}
  </section>`;
}

/** A posted form's value as one string (the first, when repeated). */
export function one(form: Record<string, unknown>, name: string): string {
  const value = form[name];
  if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : '';
  return typeof value === 'string' ? value : '';
}

/** A posted form's values of a repeated field, in order. */
export function many(form: Record<string, unknown>, name: string): string[] {
  const value = form[name];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}
