/**
 * The page an email's extend link opens names the extension the workflow grants, read from
 * workflows/durations.ts: with the window changed, the page and the email's button change with it.
 */
jest.mock('../../workflows/durations', () => ({
  ...jest.requireActual<object>('../../workflows/durations'),
  LINK_EXTENSION_DAYS: 10,
}));

import { ACTION_LABELS } from '../../activities/notice-templates';
import { ACTIONS } from '../../api/routes/actions';

test('given a 10-day link extension, the extend page and the email button both say 10 days', () => {
  const extend = ACTIONS['recovery.extend']!;
  expect(extend.question).toBe('Give the student 10 more days for "%s"?');
  expect(extend.button).toBe('Extend by 10 days');
  expect(extend.done).toBe('The student has 10 more days.');
  expect(ACTION_LABELS['recovery.extend']).toBe(extend.button);
});

test('no decision page names a number of days of its own', () => {
  const words = Object.values(ACTIONS).flatMap((a) => [a.question, a.button, a.done]);
  const daysNamed = words.flatMap((text) => [...text.matchAll(/(\d+) (?:more )?days?/g)].map((m) => m[1]));
  expect(daysNamed).toEqual(['10', '10', '10']);
});
