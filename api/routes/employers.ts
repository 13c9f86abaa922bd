import type { Response } from 'express';
import { findEmployer, type Employer } from '../../db/employers';
import { listMembers } from '../../db/members';
import { actorOf } from '../audited-handle';
import { requireRole, requireStaff, type Principal } from '../auth';
import type { RouteDeps } from '../deps';
import { DocumentedRouter } from '../documented-router';
import { idempotency, respond } from '../idempotency';
import { employerIdParam, inviteMemberBody, memberList, memberParams } from '../identity-schemas';
import {
  idempotencyHeader,
  json,
  jsonBody,
  problems,
  secured,
  unauthenticated,
  type Operation,
} from '../openapi-kit';
import { forbidden, notFound } from '../problem';
import { createEmployerBody, createEmployerResponse, memberSchema } from '../schemas';
import { createOrganisation, inviteMember, removeMember } from '../use-cases/organisations';
import { parse } from '../validate';

const createEmployer: Operation = {
  method: 'post',
  path: '/v1/employers',
  summary: 'Create an employer organisation and invite its owner by email (staff admin)',
  security: secured,
  request: { headers: idempotencyHeader, body: jsonBody(createEmployerBody) },
  responses: {
    201: json(createEmployerResponse, 'The organisation, and its owner (invited by email)'),
    ...unauthenticated,
    ...problems({
      403: 'Caller is not a staff admin',
      409: "The owner's email already has an account elsewhere",
      422: 'Invalid body; `errors` names each wrong field',
    }),
  },
};

const listTeam: Operation = {
  method: 'get',
  path: '/v1/employers/{id}/members',
  summary: "The organisation's members and their roles (its members; staff)",
  security: secured,
  request: { params: employerIdParam },
  responses: {
    200: json(memberList, 'Owners first'),
    ...unauthenticated,
    ...problems({ 403: 'Caller is a student', 404: 'Unknown organisation, or not yours' }),
  },
};

const invite: Operation = {
  method: 'post',
  path: '/v1/employers/{id}/members',
  summary: 'Invite someone to the organisation by email (its owners and admins; staff admins)',
  security: secured,
  request: { params: employerIdParam, body: jsonBody(inviteMemberBody) },
  responses: {
    201: json(memberSchema, 'Invited: the email carries a sign-in link and code'),
    ...unauthenticated,
    ...problems({
      403: 'Caller may not invite (a member, a student, staff other than admin; an admin inviting an owner)',
      404: 'Unknown organisation, or not yours',
      409: 'Already a member, or the email has an account elsewhere',
      422: 'Invalid body',
    }),
  },
};

const remove: Operation = {
  method: 'delete',
  path: '/v1/employers/{id}/members/{accountId}',
  summary:
    'Remove a member: their sessions, API tokens and email links end at once (owners, admins; staff admins)',
  security: secured,
  request: { params: memberParams },
  responses: {
    204: { description: 'Removed' },
    ...unauthenticated,
    ...problems({
      403: 'Caller may not remove members, or an admin removing an owner',
      404: 'Unknown organisation or member, or not yours',
      409: 'The last owner stays',
    }),
  },
};

/**
 * The organisation named by the path, if the caller may see it: its members, or staff. Anyone else
 * gets 404, as for another employer's posting.
 */
export async function organisationFor(
  deps: RouteDeps,
  res: Response,
  id: string,
): Promise<{ employer: Employer; caller: Principal }> {
  const caller = requireRole(res, 'employer', 'ops');
  if (caller.role === 'employer' && caller.employerId !== id) throw notFound('Employer');
  const employer = await findEmployer(deps.db, id);
  if (!employer) throw notFound('Employer');
  return { employer, caller };
}

/** Owners and admins of the organisation, and staff admins, manage its members. */
function mayManage(caller: Principal): void {
  const allowed =
    (caller.role === 'employer' && (caller.orgRole === 'owner' || caller.orgRole === 'admin')) ||
    (caller.role === 'ops' && caller.staffRole === 'admin');
  if (!allowed)
    throw forbidden("Only the organisation's owners and admins (or staff admins) manage its members");
}

export function employerRoutes(deps: RouteDeps): DocumentedRouter {
  const routes = new DocumentedRouter();

  routes.route(createEmployer, idempotency(deps.db), async (req, res) => {
    const admin = requireStaff(res, 'admin');
    const body = parse(createEmployerBody, req.body, 'body');
    const created = await createOrganisation(deps, { body, by: actorOf(admin), byName: admin.name });
    res.location(`/v1/employers/${created.employer.id}`);
    await respond(res, 201, created);
  });

  routes.route(listTeam, async (req, res) => {
    const { id } = parse(employerIdParam, req.params, 'path');
    await organisationFor(deps, res, id);
    const members = await listMembers(deps.db, id);
    res.json({ items: members.map(({ employerId: _e, timeZone: _t, ...m }) => m) });
  });

  routes.route(invite, async (req, res) => {
    const { id } = parse(employerIdParam, req.params, 'path');
    const { employer, caller } = await organisationFor(deps, res, id);
    mayManage(caller);
    const body = parse(inviteMemberBody, req.body, 'body');
    const member = await inviteMember(deps, {
      employer,
      email: body.email,
      name: body.name ?? null,
      role: body.role,
      by: actorOf(caller),
      byName: caller.name,
    });
    const { employerId: _e, timeZone: _t, ...view } = member;
    res.status(201).json(view);
  });

  routes.route(remove, async (req, res) => {
    const { id, accountId } = parse(memberParams, req.params, 'path');
    const { caller } = await organisationFor(deps, res, id);
    mayManage(caller);
    await removeMember(deps.db, { employerId: id, accountId, by: actorOf(caller) });
    res.status(204).end();
  });
  return routes;
}
