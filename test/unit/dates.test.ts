/** Dates in emails, as their recipient reads them. */
import { canonicalTimeZone, forPeople, isTimeZone } from '../../lib/dates';

test.each([
  // Winter and summer in Berlin: the zone's letters change with daylight saving.
  ['2026-12-11T16:00:00.000Z', 'Europe/Berlin', 'Friday 11 December 2026, 17:00 CET'],
  ['2026-07-10T16:00:00.000Z', 'Europe/Berlin', 'Friday 10 July 2026, 18:00 CEST'],
  // An evening in New York is already the next day in UTC: the weekday follows the reader.
  ['2026-12-12T02:30:00Z', 'America/New_York', 'Friday 11 December 2026, 21:30 EST'],
  ['2026-12-12T02:30:00Z', 'UTC', 'Saturday 12 December 2026, 02:30 UTC'],
  // A zone with no common letters keeps its offset.
  ['2026-12-11T16:00:00Z', 'Asia/Tokyo', 'Saturday 12 December 2026, 01:00 GMT+9'],
  // An instant written with an offset is the same instant.
  ['2026-12-11T17:00:00+01:00', 'UTC', 'Friday 11 December 2026, 16:00 UTC'],
  // A calendar date (a job's start date) is the same day wherever it is read.
  ['2027-01-10', 'America/Los_Angeles', 'Sunday 10 January 2027'],
  // An unknown zone falls back to UTC rather than failing an email.
  ['2026-12-11T16:00:00Z', 'Mars/Olympus_Mons', 'Friday 11 December 2026, 16:00 UTC'],
])('%s in %s reads "%s"', (iso, zone, expected) => {
  expect(forPeople(iso, zone)).toBe(expected);
});

test.each(['soon', '2026-02-30', '2026-02-30T10:00:00Z', '', '11/12/2026'])(
  '"%s" is not a date it can read, and comes back unchanged',
  (text) => {
    expect(forPeople(text, 'Europe/Berlin')).toBe(text);
  },
);

test('time zones are IANA names, accepted in any case and stored as the tz database spells them', () => {
  expect(isTimeZone('Europe/Berlin')).toBe(true);
  expect(isTimeZone('UTC')).toBe(true);
  expect(isTimeZone('america/argentina/buenos_aires')).toBe(true);
  expect(canonicalTimeZone('europe/berlin')).toBe('Europe/Berlin');
  expect(canonicalTimeZone('america/new_york')).toBe('America/New_York');
  expect(canonicalTimeZone('utc')).toBe('UTC');
  for (const wrong of ['+01:00', 'Mars/Olympus_Mons', 'Europe/', '', 'x'.repeat(65)]) {
    expect(isTimeZone(wrong)).toBe(false);
  }
});
