/**
 * Dates as people read them, in their own time zone: `Friday 11 December 2026, 17:00 CET`. The
 * workflow hands emails ISO strings; the recipient's zone is applied only here, when the words are
 * written.
 */

/** An instant: a date, a time and Z or an offset, e.g. 2026-12-11T16:00:00.000Z. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;
/** A calendar date, e.g. a job's start date 2027-01-10: the same day wherever it is read. */
const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** What IANA names look like (Europe/Berlin, America/Argentina/Buenos_Aires, UTC), not offsets such as +01:00. */
const IANA_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

/** Whether `name` is a time zone this runtime knows by its IANA name. */
export function isTimeZone(name: string): boolean {
  if (name.length > 64 || !IANA_NAME.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const knownZones = new Map(
  [...Intl.supportedValuesOf('timeZone'), 'UTC'].map((zone) => [zone.toLowerCase(), zone]),
);

/** The usual spelling of a zone typed in another case (europe/berlin → Europe/Berlin). */
export const canonicalTimeZone = (name: string): string => knownZones.get(name.toLowerCase()) ?? name;

const dayFormat = (timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  });

/** A part of a formatted date, by its type. */
const partOf = (parts: Intl.DateTimeFormatPart[], type: Intl.DateTimeFormatPartTypes) =>
  parts.find((p) => p.type === type)?.value ?? '';

/** `Friday 11 December 2026`, without the comma en-GB puts after the weekday. */
function day(date: Date, timeZone: string): string {
  const parts = dayFormat(timeZone).formatToParts(date);
  return `${partOf(parts, 'weekday')} ${partOf(parts, 'day')} ${partOf(parts, 'month')} ${partOf(parts, 'year')}`;
}

/**
 * The zone's short name at that instant: CET or CEST for Berlin, BST for London in summer. British
 * English has no letters for American zones (GMT-5), so those take the American ones (EST, EDT);
 * zones with no common letters keep their offset (GMT+9).
 */
function zoneName(date: Date, timeZone: string): string {
  const short = (locale: string) =>
    partOf(
      new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'short' }).formatToParts(date),
      'timeZoneName',
    );
  const british = short('en-GB');
  if (!/^GMT[+-]/.test(british)) return british;
  const american = short('en-US');
  return /^[A-Z]{2,5}$/.test(american) ? american : british;
}

/** Whether the instant's date is the one it was written with: JavaScript reads 30 February as 1 March. */
function sameCalendarDay(iso: string, date: Date): boolean {
  const offset = /([+-])(\d{2}):(\d{2})$/.exec(iso);
  const minutes = offset ? (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3])) : 0;
  return new Date(date.getTime() + minutes * 60_000).toISOString().slice(0, 10) === iso.slice(0, 10);
}

/**
 * A date for people, in `timeZone` (an IANA name; UTC when it is unknown): an instant becomes
 * `Friday 11 December 2026, 17:00 CET`, a calendar date `Sunday 10 January 2027` (the same day in
 * every zone). Anything else is not a date this can read, and comes back as it is.
 */
export function forPeople(iso: string, timeZone: string): string {
  const zone = isTimeZone(timeZone) ? timeZone : 'UTC';
  if (CALENDAR_DATE.test(iso)) {
    const date = new Date(`${iso}T00:00:00Z`);
    const valid = !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === iso;
    return valid ? day(date, 'UTC') : iso;
  }
  const date = INSTANT.test(iso) ? new Date(iso) : undefined;
  if (!date || Number.isNaN(date.getTime()) || !sameCalendarDay(iso, date)) return iso;
  const time = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date);
  return `${day(date, zone)}, ${partOf(time, 'hour')}:${partOf(time, 'minute')} ${zoneName(date, zone)}`;
}
