import { hashToken, newToken } from './tokens';
import type { Queryable } from './pool';

export interface ActionLink {
  action: string;
  token: string;
}

export interface ActionToken {
  decisionKey: string;
  action: string;
  internshipId: string;
  actorRole: 'employer' | 'student';
  actorId: string;
  expiresAt: Date;
  usedAt: Date | null;
  usedAction: string | null;
}

interface ActionTokenRow {
  decision_key: string;
  action: string;
  internship_id: string;
  actor_role: 'employer' | 'student';
  actor_id: string;
  expires_at: Date;
  used_at: Date | null;
  used_action: string | null;
}

const toActionToken = (r: ActionTokenRow): ActionToken => ({
  decisionKey: r.decision_key,
  action: r.action,
  internshipId: r.internship_id,
  actorRole: r.actor_role,
  actorId: r.actor_id,
  expiresAt: r.expires_at,
  usedAt: r.used_at,
  usedAction: r.used_action,
});

/** One link per choice of a decision; the tokens are returned once and stored only hashed. */
export async function issueActionTokens(
  db: Queryable,
  decision: {
    decisionKey: string;
    actions: string[];
    internshipId: string;
    actorRole: 'employer' | 'student';
    actorId: string;
    expiresAt: string;
  },
): Promise<ActionLink[]> {
  const links = decision.actions.map((action) => ({ action, token: newToken() }));
  for (const link of links) {
    await db.query(
      `INSERT INTO action_tokens (token_hash, decision_key, action, internship_id, actor_role, actor_id, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        hashToken(link.token),
        decision.decisionKey,
        link.action,
        decision.internshipId,
        decision.actorRole,
        decision.actorId,
        decision.expiresAt,
      ],
    );
  }
  return links;
}

export async function findActionToken(db: Queryable, token: string): Promise<ActionToken | undefined> {
  const { rows } = await db.query<ActionTokenRow>(`SELECT * FROM action_tokens WHERE token_hash = $1`, [
    hashToken(token),
  ]);
  return rows[0] && toActionToken(rows[0]);
}

/**
 * Spends the token and every sibling of its decision, if none was spent and it has not expired.
 * Returns the token when this call won; undefined when it was already used, expired or unknown.
 */
export async function claimActionToken(db: Queryable, token: string): Promise<ActionToken | undefined> {
  const { rows } = await db.query<ActionTokenRow>(
    `WITH target AS (
       SELECT decision_key, action FROM action_tokens
        WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
        FOR UPDATE)
     UPDATE action_tokens t SET used_at = now(), used_action = target.action
       FROM target
      WHERE t.decision_key = target.decision_key AND t.used_at IS NULL
     RETURNING t.*, t.token_hash = $1 AS is_target`,
    [hashToken(token)],
  );
  const mine = (rows as (ActionTokenRow & { is_target: boolean })[]).find((r) => r.is_target);
  return mine && toActionToken(mine);
}

/** Gives a claimed decision back when the action could not be carried out (e.g. Temporal down). */
export async function releaseActionToken(db: Queryable, decisionKey: string): Promise<void> {
  await db.query(`UPDATE action_tokens SET used_at = NULL, used_action = NULL WHERE decision_key = $1`, [
    decisionKey,
  ]);
}
