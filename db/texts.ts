import type { Queryable } from './pool';

/** What a person wrote, by kind: the body the workflow never sees (it carries the id). */
export interface TextBodies {
  submission: { url: string; notes: string };
  review: { comments: string };
  extension: { reason: string };
  cancellation: { reason: string };
  feedback: { comment: string; endorsedSkills: string[] };
  'hiring-offer': {
    role: string;
    type: 'full_time' | 'part_time' | 'internship' | 'contract';
    payCents: number;
    payPeriod: 'hour' | 'month' | 'year';
    startDate: string;
  };
}
export type TextKind = keyof TextBodies;

/** Stores a text once under its id (a retried request with the same id stores nothing more). */
export async function saveText<K extends TextKind>(
  db: Queryable,
  t: { id: string; internshipId: string; authorId: string | null; kind: K; body: TextBodies[K] },
): Promise<void> {
  await db.query(
    `INSERT INTO texts (id, internship_id, author_id, kind, body) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (id) DO NOTHING`,
    [t.id, t.internshipId, t.authorId, t.kind, JSON.stringify(t.body)],
  );
}

/** A text by its id, of the kind expected; undefined when there is none. */
export async function findText<K extends TextKind>(
  db: Queryable,
  id: string,
  kind: K,
): Promise<TextBodies[K] | undefined> {
  const { rows } = await db.query<{ body: TextBodies[K] }>(
    `SELECT body FROM texts WHERE id = $1 AND kind = $2`,
    [id, kind],
  );
  return rows[0]?.body;
}

/**
 * The employer's review comments on the work `studentId` submitted for this internship, oldest
 * first (a review with no comment is left out): what the hired student reads as change requests.
 */
export async function reviewsOfWork(
  db: Queryable,
  internshipId: string,
  studentId: string,
): Promise<{ comments: string; at: string }[]> {
  const { rows } = await db.query<{ comments: string; created_at: Date }>(
    `SELECT r.body->>'comments' AS comments, r.created_at FROM texts r
      WHERE r.internship_id = $1 AND r.kind = 'review' AND coalesce(r.body->>'comments', '') <> ''
        AND EXISTS (SELECT 1 FROM texts s WHERE s.internship_id = r.internship_id AND s.kind = 'submission'
                     AND s.author_id = $2 AND s.created_at <= r.created_at)
      ORDER BY r.created_at`,
    [internshipId, studentId],
  );
  return rows.map((r) => ({ comments: r.comments, at: r.created_at.toISOString() }));
}
