import pino from 'pino';
import { createApp } from '../../api/app';
import { webRouter } from '../../web/router';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(async () => {
  await h?.stop();
});

test('the spec lists every route with the fields the validators enforce', async () => {
  const { status, body } = await call(h.baseUrl, 'GET', '/openapi.json');
  expect(status).toBe(200);
  expect(body.openapi).toBe('3.1.0');
  const routes = Object.entries(body.paths as Record<string, object>).flatMap(([path, ops]) =>
    Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
  );
  expect(routes.sort()).toEqual(
    [
      'POST /v1/employers',
      'GET /v1/employers/{id}/billing',
      'POST /v1/employers/{id}/billing/card-setup',
      'POST /v1/students',
      'POST /v1/internships',
      'GET /v1/internships',
      'GET /v1/internships/{id}',
      'POST /v1/internships/{id}/applications',
      'DELETE /v1/internships/{id}/applications/mine',
      'GET /v1/students/me/applications',
      'GET /v1/internships/{id}/applications',
      'POST /v1/internships/{id}/selection',
      'POST /v1/internships/{id}/offer-response',
      'POST /v1/internships/{id}/submissions',
      'POST /v1/internships/{id}/review',
      'POST /v1/internships/{id}/extension-requests',
      'POST /v1/internships/{id}/extension-decision',
      'POST /v1/internships/{id}/missed-deadline-decision',
      'POST /v1/internships/{id}/cancel',
      'GET /v1/internships/{id}/progress',
      'POST /v1/internships/{id}/payment-page',
      'GET /v1/internships/{id}/payout',
      'POST /v1/internships/{id}/payout-onboarding',
      'POST /v1/admin/internships/{id}/fee-exception',
      'POST /v1/admin/internships/{id}/resolution',
      'GET /v1/admin/internships/{id}/resolution',
      'GET /v1/admin/queue',
      'POST /v1/internships/{id}/feedback',
      'POST /v1/internships/{id}/hiring-offer',
      'POST /v1/internships/{id}/hiring-offer/response',
      'GET /v1/credentials/{credentialId}',
      'GET /v1/credentials/{credentialId}/badge',
      'GET /.well-known/jwks.json',
      'GET /.well-known/did.json',
      'PUT /v1/credentials/{credentialId}/sharing',
      'PUT /v1/me/time-zone',
      'GET /v1/me',
      'GET /v1/me/sessions',
      'DELETE /v1/me/sessions/{id}',
      'GET /v1/me/tokens',
      'POST /v1/me/tokens',
      'DELETE /v1/me/tokens/{id}',
      'POST /v1/auth/sign-in',
      'POST /v1/auth/sessions',
      'POST /v1/auth/sign-out',
      'GET /sign-in/{token}',
      'POST /sign-in/{token}',
      'GET /auth/oidc/start',
      'GET /auth/oidc/callback',
      'GET /v1/employers/{id}/members',
      'POST /v1/employers/{id}/members',
      'DELETE /v1/employers/{id}/members/{accountId}',
      'GET /v1/admin/staff',
      'POST /codec/decode',
      'GET /v1/students/me/export',
      'DELETE /v1/students/me',
      'GET /v1/admin/students/{id}/export',
      'POST /v1/admin/students/{id}/erasure',
      'POST /codec/encode',
      'POST /v1/admin/staff',
      'DELETE /v1/admin/staff/{accountId}',
      'GET /v1/students/{id}/portfolio',
      'GET /v1/students/me/credentials',
      'GET /v1/admin/conversion',
      'GET /healthz',
      'GET /readyz',
      'POST /webhooks/stripe',
      'GET /actions/{token}',
      'POST /actions/{token}',
    ].sort(),
  );
  // Every write on the web API may be refused by the per-address and per-account limits.
  for (const [path, ops] of Object.entries(body.paths as Record<string, Record<string, any>>)) {
    for (const [method, op] of Object.entries(ops)) {
      if (path.startsWith('/v1/') && method !== 'get')
        expect({ route: `${method} ${path}`, has429: '429' in op.responses }).toEqual({
          route: `${method} ${path}`,
          has429: true,
        });
    }
  }
  const signUp = body.paths['/v1/students'].post.requestBody.content['application/json'].schema;
  expect(Object.keys(signUp.properties)).not.toContain('gpa');
  const post = body.paths['/v1/internships'].post.requestBody.content['application/json'].schema;
  expect(post.properties.estimatedHours).toMatchObject({ minimum: 5, maximum: 40 });
  expect(post.required).toEqual(
    expect.arrayContaining(['title', 'description', 'deliverable', 'skills', 'estimatedHours', 'feeCents']),
  );
  expect(post.additionalProperties).toBe(false);
});

test('/docs renders the spec from local assets', async () => {
  const page = await fetch(`${h.baseUrl}/docs/`);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('swagger-ui');
  expect(html).not.toMatch(/https?:\/\/(cdn|unpkg)/);
  const asset = await fetch(`${h.baseUrl}/docs/swagger-ui-bundle.js`);
  expect(asset.status).toBe(200);
});

test('every route the app serves is in the spec (a new route without a spec entry fails here)', async () => {
  const app = createApp({
    db: h.db,
    temporal: h.temporal,
    stripe: h.stripe,
    mailer: h.mailer,
    config: h.config,
    logger: pino({ level: 'silent' }),
  });
  type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };
  const walk = (stack: Layer[], into = new Set<string>()) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods)) {
          into.add(`${method.toUpperCase()} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
        }
      } else if (layer.handle?.stack) walk(layer.handle.stack, into);
    }
    return into;
  };
  const served = walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  // The web app's pages are for people: they call the API, they are not part of it.
  const pages = walk(
    (
      webRouter({ logger: pino({ level: 'silent' }), config: { COOKIE_SECURE: false } }) as unknown as {
        stack: Layer[];
      }
    ).stack,
  );
  const { body } = await call(h.baseUrl, 'GET', '/openapi.json');
  const documented = new Set(
    Object.entries(body.paths as Record<string, object>).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    ),
  );
  const infrastructure = ['GET /openapi.json'];
  const missing = [...served].filter(
    (r) => !documented.has(r) && !infrastructure.includes(r) && !pages.has(r),
  );
  expect(served.size).toBeGreaterThan(10);
  expect(missing).toEqual([]);
});
