/** Browsing pages by cursor sees every posting once, even postings created in the same millisecond. */
import { listInternships } from '../../db/internships';
import { createPool, type Db } from '../../db/pool';
import { testConfig } from '../helpers/env';
import { seedEmployer, seedPosting } from '../helpers/fixtures';

let db: Db;
beforeAll(() => {
  db = createPool(testConfig().DATABASE_URL, 2);
});
afterAll(() => db.end());

test('paging one posting at a time through 40 postings made back to back returns each exactly once', async () => {
  const employer = await seedEmployer(db);
  const made: string[] = [];
  for (let i = 0; i < 40; i++) made.push((await seedPosting(db, employer, Date.now())).internshipId);
  const seen: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await listInternships(
      db,
      { employerId: employer.id },
      { limit: 1, ...(cursor ? { cursor } : {}) },
    );
    seen.push(...page.items.map((i) => i.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  expect(seen.sort()).toEqual(made.sort());
});
