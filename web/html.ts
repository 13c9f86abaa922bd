/** HTML built from templates in which every interpolated value is escaped unless marked `raw()`. */
import { escapeHtml } from '../lib/mail/content';

/** Markup that is already safe: made by `html` or declared so with `raw`. */
export class Html {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

/** Trusted markup, written by us (never text a person or the API sent). */
export const raw = (markup: string): Html => new Html(markup);

const render = (value: HtmlValue): string => {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.markup;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
};

/** The tagged template: `html\`<p>${name}</p>\`` escapes `name`; lists are joined; null and false print nothing. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}
