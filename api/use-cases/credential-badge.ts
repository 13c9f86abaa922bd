import { findCredential, storeBadgeOnce, type StoredCredential } from '../../db/follow-up';
import type { Queryable } from '../../db/pool';
import type { CredentialKeys } from '../../lib/credential-keys';
import { verifyCredential, type CredentialPayload } from '../../lib/credentials';
import { achievementCredential, signBadge } from '../../lib/open-badges';
import { conflict, notFound } from '../problem';

export interface BadgeDeps {
  db: Queryable;
  keys: CredentialKeys;
  credentialSecret: string;
  publicBaseUrl: string;
}

/**
 * DESIGN §8: the Open Badge of a credential its student shared, as a VC-JWT. A credential issued
 * before badges gets one now, signed only after its HMAC checks, so a statement altered where it
 * is stored is refused, never signed; it is kept, so later downloads answer the same JWT.
 */
export async function credentialBadge(deps: BadgeDeps, credentialId: string, attempt = 1): Promise<string> {
  const credential = await findCredential(deps.db, credentialId);
  if (!credential || credential.visibility === 'private' || credential.signature === '') {
    throw notFound('Credential');
  }
  if (!verifyCredential(credential.payload, credential.signature, deps.credentialSecret)) {
    throw conflict('CredentialDoesNotVerify', 'The stored credential does not match its signature');
  }
  if (credential.vcJwt) return credential.vcJwt;
  const jwt = signBadge(
    achievementCredential(statementOf(credential), deps.publicBaseUrl),
    await deps.keys.signingKey(),
    deps.publicBaseUrl,
  );
  const kept = await storeBadgeOnce(deps.db, { id: credential.id, payload: credential.payload, vcJwt: jwt });
  if (kept) return kept;
  // Re-signed meanwhile (feedback revealed): the new statement comes with its own badge.
  if (attempt < 3) return credentialBadge(deps, credentialId, attempt + 1);
  throw conflict('CredentialChanging', 'The credential is being re-signed; try again');
}

/**
 * The statement of a stored credential, as older ones were written too: under the credential's own
 * id (the oldest carried their internship's), lists they did not have yet empty.
 */
function statementOf(c: StoredCredential): CredentialPayload {
  const p = JSON.parse(c.payload) as Partial<CredentialPayload> & Pick<CredentialPayload, 'completedAt'>;
  return {
    credentialId: c.id,
    type: 'micro-internship-completion',
    student: { name: p.student?.name ?? '' },
    employer: p.employer ?? '',
    title: p.title ?? '',
    skills: p.skills ?? [],
    endorsedSkills: p.endorsedSkills ?? [],
    skillsPractised: p.skillsPractised ?? [],
    startedAt: p.startedAt ?? null,
    completedAt: p.completedAt,
    ...(p.employerRating !== undefined ? { employerRating: p.employerRating } : {}),
  };
}
