/**
 * Dates in the viewer's time zone: the signed-in account's own (set at sign-up or in settings), else
 * the browser's (app.js keeps it in the `tz` cookie), else UTC; always labelled with the zone.
 */
import type { Request } from 'express';
import { canonicalTimeZone, forPeople, isTimeZone } from '../lib/dates';
import { html, type Html } from './html';

export const TZ_COOKIE = 'tz';

/** The zone to write dates in for this viewer. */
export function viewerZone(req: Request, accountZone?: string | null): string {
  if (accountZone && isTimeZone(accountZone)) return accountZone;
  const fromBrowser = (req.cookies as Record<string, string> | undefined)?.[TZ_COOKIE];
  return fromBrowser && isTimeZone(fromBrowser) ? canonicalTimeZone(fromBrowser) : 'UTC';
}

/** The browser's zone if it told us one: what a sign-up form proposes for the new account. */
export function browserZone(req: Request): string | undefined {
  const fromBrowser = (req.cookies as Record<string, string> | undefined)?.[TZ_COOKIE];
  return fromBrowser && isTimeZone(fromBrowser) ? canonicalTimeZone(fromBrowser) : undefined;
}

/** `<time datetime="2026-12-11T16:00:00.000Z">Friday 11 December 2026, 17:00 CET</time>`. */
export function timeTag(iso: string | null | undefined, zone: string, none = '—'): Html {
  if (!iso) return html`${none}`;
  return html`<time datetime="${iso}">${forPeople(iso, zone)}</time>`;
}

/** A duration the API gives in milliseconds, in whole days or hours. */
export function durationText(ms: number): string {
  const hours = Math.round(ms / 3_600_000);
  if (hours % 24 === 0) return `${hours / 24} day${hours === 24 ? '' : 's'}`;
  return `${hours} hour${hours === 1 ? '' : 's'}`;
}

/** The zone's offset from UTC at an instant, in milliseconds (New York in winter: -5 h). */
function offsetAt(instant: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(instant));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) - instant;
}

/**
 * A `datetime-local` input's value (`2026-12-20T17:00`), read as wall-clock time in `zone`, as the
 * ISO instant the API takes; undefined when it is not such a value.
 */
export function instantFromLocal(value: string, zone: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!m) return undefined;
  const wall = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!);
  if (Number.isNaN(wall)) return undefined;
  // Twice: the offset at the guessed instant may differ from the one at the answer (a DST change).
  const guess = wall - offsetAt(wall, zone);
  return new Date(wall - offsetAt(guess, zone)).toISOString();
}
