/** The web app's building blocks that carry a risk of their own: escaping, and local times read in a zone. */
import { fieldErrorsOf } from '../../web/api-client';
import { html, raw } from '../../web/html';
import { instantFromLocal, timeTag } from '../../web/time';
import { APPLICATION_WORDS as EMPLOYER_WORDS } from '../../web/pages/employer/shared';
import { APPLICATION_WORDS as STUDENT_WORDS } from '../../web/pages/student/applications';
import { APPLICATION_STATUSES } from '../../workflows/definitions';

test('every interpolated value is escaped; only raw() markup is not', () => {
  const name = '<script>alert("x")</script> & \'friends\'';
  expect(html`<p title="${name}">${name}</p>`.markup).toBe(
    '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;friends&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;friends&#39;</p>',
  );
  const items = ['a<', 'b'].map((s) => html`<li>${s}</li>`);
  expect(html`${items}`.markup).toBe('<li>a&lt;</li><li>b</li>');
  expect(html`${null}${undefined}${false}${raw('<br>')}`.markup).toBe('<br>');
});

test.each([
  ['2026-12-20T17:00', 'America/New_York', '2026-12-20T22:00:00.000Z'],
  ['2026-07-01T09:00', 'America/New_York', '2026-07-01T13:00:00.000Z'],
  ['2026-03-29T12:30', 'Europe/Berlin', '2026-03-29T10:30:00.000Z'],
  ['2026-01-05T08:15', 'UTC', '2026-01-05T08:15:00.000Z'],
])('a datetime-local value %s in %s is the instant %s', (value, zone, iso) => {
  expect(instantFromLocal(value, zone)).toBe(iso);
});

test('what is not a datetime-local value is left for the API to refuse', () => {
  expect(instantFromLocal('next friday', 'UTC')).toBeUndefined();
  expect(instantFromLocal('2026-12-20', 'UTC')).toBeUndefined();
});

test('a date is written in the zone, labelled, inside <time datetime>', () => {
  expect(timeTag('2026-12-11T16:00:00.000Z', 'Europe/Berlin').markup).toBe(
    '<time datetime="2026-12-11T16:00:00.000Z">Friday 11 December 2026, 17:00 CET</time>',
  );
  expect(timeTag(null, 'UTC', 'not yet').markup).toBe('not yet');
});

test("the API's field errors are named as the form names its fields, the first message of each", () => {
  expect(
    fieldErrorsOf({
      errors: [
        { field: 'body.pitch', message: 'too short' },
        { field: 'body.pitch', message: 'second' },
        { field: 'body.answers.0', message: 'required' },
        { field: 'query.skill', message: 'too long' },
      ],
    }),
  ).toEqual({ pitch: 'too short', 'answers.0': 'required', skill: 'too long' });
});

test('every application status a person can see is put into words, for the student and for the employer', () => {
  const shown = APPLICATION_STATUSES.filter((s) => s !== 'pending');
  expect(shown.filter((s) => !STUDENT_WORDS[s])).toEqual([]);
  expect(shown.filter((s) => !EMPLOYER_WORDS[s])).toEqual([]);
});
