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
    ['POST /v1/employers', 'POST /v1/internships', 'GET /v1/internships', 'GET /v1/internships/{id}'].sort(),
  );
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
