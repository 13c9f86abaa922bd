import type { Request } from 'express';
import { listStaff } from '../../db/staff';
import { BREAK_GLASS } from '../account-audit';
import { actorOf } from '../audited-handle';
import { requireStaff } from '../auth';
import type { RouteDeps } from '../deps';
import { DocumentedRouter } from '../documented-router';
import { createStaffBody, staffList, staffParams, staffSchema } from '../identity-schemas';
import { json, jsonBody, problems, secured, unauthenticated, type Operation } from '../openapi-kit';
import { forbidden } from '../problem';
import { addStaff, removeStaff } from '../use-cases/staff';
import { parse } from '../validate';

const add: Operation = {
  method: 'post',
  path: '/v1/admin/staff',
  summary: 'Add a staff member with a role (staff admins; the OPS_TOKEN may add an admin, break-glass)',
  description:
    'They sign in through the company identity provider when OIDC is configured, else by email. The OPS_TOKEN is kept only to create the first admin (or one when no admin can sign in); its use is recorded as break-glass in the audit trail.',
  security: secured,
  request: { body: jsonBody(createStaffBody) },
  responses: {
    201: json(staffSchema, 'Added and told by email'),
    ...unauthenticated,
    ...problems({
      403: 'Caller is not a staff admin (the OPS_TOKEN adds admins only)',
      409: 'Already staff, or the email has another kind of account',
      422: 'Invalid body',
    }),
  },
};

const list: Operation = {
  method: 'get',
  path: '/v1/admin/staff',
  summary: 'The operations staff and their roles (staff)',
  security: secured,
  responses: {
    200: json(staffList, 'Staff'),
    ...unauthenticated,
    ...problems({ 403: 'Caller is not staff' }),
  },
};

const remove: Operation = {
  method: 'delete',
  path: '/v1/admin/staff/{accountId}',
  summary: 'Remove a staff member: their sessions and tokens end at once (staff admins)',
  security: secured,
  request: { params: staffParams },
  responses: {
    204: { description: 'Removed' },
    ...unauthenticated,
    ...problems({
      403: 'Caller is not a staff admin',
      404: 'No such staff member',
      409: 'The last admin stays',
    }),
  },
};

/** The one request the OPS_TOKEN may make (api/auth.ts refuses it everywhere else). */
export const isBreakGlassRequest = (req: Request) =>
  req.method === 'POST' && `${req.baseUrl}${req.path}` === '/v1/admin/staff';

export function staffRoutes(deps: RouteDeps): DocumentedRouter {
  const routes = new DocumentedRouter();

  routes.route(add, async (req, res) => {
    const breakGlass = res.locals.breakGlass === true;
    const admin = breakGlass ? undefined : requireStaff(res, 'admin');
    const body = parse(createStaffBody, req.body, 'body');
    if (breakGlass && body.role !== 'admin')
      throw forbidden('The OPS_TOKEN adds admins only; admins add the rest');
    if (breakGlass)
      deps.logger.warn({ email: '[redacted]' }, 'OPS_TOKEN used (break-glass): a staff admin was added');
    const staff = await addStaff(deps, {
      email: body.email,
      name: body.name ?? null,
      role: body.role,
      by: admin ? actorOf(admin) : BREAK_GLASS,
      byName: admin?.name ?? null,
    });
    res.status(201).json(staff);
  });

  routes.route(list, async (_req, res) => {
    requireStaff(res, 'support', 'finance', 'admin');
    res.json({ items: await listStaff(deps.db) });
  });

  routes.route(remove, async (req, res) => {
    const admin = requireStaff(res, 'admin');
    const { accountId } = parse(staffParams, req.params, 'path');
    await removeStaff(deps.db, { accountId, by: actorOf(admin) });
    res.status(204).end();
  });

  return routes;
}
