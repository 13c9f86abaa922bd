/**
 * Ops read encrypted histories in the Temporal UI through the API's codec server: headless Chromium
 * signs a staff member in (the emailed link, a session cookie), then opens a workflow in the
 * read-only Temporal UI server, which asks the codec server to decode its input. Without sign-in,
 * or from another origin, the codec server answers nothing.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { workflowHistoryUrl } from '../../lib/temporal-ui';
import { freePort } from '../../scripts/stack/processes';
import { startTemporalUiServer, temporalUiConfig } from '../../scripts/stack/temporal-ui';
import { readTools } from '../../scripts/stack/tools';
import { internshipStateQuery, internshipWorkflowId } from '../../workflows/definitions';
import { newEmployer, newPosting, newStudent, staffSession } from '../helpers/actors';
import { uniqueSuffix } from '../helpers/env';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';
import { waitForEmail } from '../helpers/inbox';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const dir = mkdtempSync(path.join(os.tmpdir(), 'mi-codec-'));
let h: ApiHarness;
let ui: { url: string; stop: () => Promise<void> } | undefined;
let browser: Browser;
let uiUrl: string;

beforeAll(async () => {
  if (!existsSync(executablePath)) throw new Error(`Chromium not found at ${executablePath}`);
  const uiServer = readTools().temporalUiServer;
  if (!uiServer) throw new Error('the Temporal UI server was not provisioned (scripts/provision-tools.sh)');
  const uiPort = await freePort();
  // The UI and the API on the same host, as npm start runs them: the session cookie is same-site.
  uiUrl = `http://127.0.0.1:${uiPort}`;
  h = await startApiHarness({ config: { TEMPORAL_UI_URL: uiUrl } });
  ui = await startTemporalUiServer({
    executable: uiServer,
    port: uiPort,
    temporalAddress: h.temporalTarget.address,
    logFile: path.join(dir, 'ui.log'),
    dataDir: dir,
    codecEndpoint: `${h.baseUrl}/codec`,
    codecIncludeCredentials: true,
  });
  browser = await chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await ui?.stop();
  await h?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A browser context signed in as a staff member by the emailed link, as a person would. */
async function signedInStaff(): Promise<BrowserContext> {
  const email = `reader-${uniqueSuffix()}@ops.test`;
  await call(h.baseUrl, 'POST', '/v1/admin/staff', {
    token: await staffSession(h, 'admin'),
    body: { email, name: 'Rita Reader', role: 'support' },
  });
  const invitation = await waitForEmail(email, /invited/);
  const link = /Accept and sign in: (\S+)/.exec(invitation.text)![1]!;
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(link);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('You are signed in').waitFor();
  return context;
}

test('signed-in ops see the decoded workflow input in the Temporal UI; a browser without sign-in does not', async () => {
  const employer = await newEmployer(h);
  const id = await newPosting(h, employer);
  await newStudent(h, 'Cody Codec');
  const history = await workflowHistoryUrl(
    h.temporal.connection,
    { baseUrl: uiUrl, namespace: h.temporalTarget.namespace },
    internshipWorkflowId(id),
  );

  const staff = await signedInStaff();
  const page = await staff.newPage();
  await page.goto(history);
  // The input's fields appear only once the codec server decoded it.
  await page.getByText('applicationWindowMs').first().waitFor({ timeout: 30_000 });
  expect(await page.content()).toContain(id);

  const stranger = await browser.newContext();
  const other = await stranger.newPage();
  const refused: number[] = [];
  other.on('response', (r) => {
    if (r.url().startsWith(`${h.baseUrl}/codec/`)) refused.push(r.status());
  });
  await other.goto(history);
  await other
    .getByText('Codec Server could not connect')
    .first()
    .waitFor({ state: 'attached', timeout: 30_000 });
  expect(await other.content()).not.toContain('applicationWindowMs');
  expect(refused.length).toBeGreaterThan(0);
  expect(refused.every((status) => status === 401)).toBe(true);
  await staff.close();
  await stranger.close();
});

test('the codec server answers staff only, and browsers only from the Temporal UI', async () => {
  const sealed = await h.temporal.options.dataConverter.payloadCodecs![0]!.encode([
    { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"words":"kept private"}') },
  ]);
  const body = {
    payloads: sealed.map((p) => ({
      metadata: Object.fromEntries(
        Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      ),
      data: Buffer.from(p.data!).toString('base64'),
    })),
  };
  const decode = (headers: Record<string, string>) =>
    call(h.baseUrl, 'POST', '/codec/decode', { headers, body });

  const support = await staffSession(h, 'support');
  const ok = await decode({ authorization: `Bearer ${support}`, origin: uiUrl });
  expect(ok.status).toBe(200);
  expect(Buffer.from(ok.body.payloads[0].data, 'base64').toString()).toBe('{"words":"kept private"}');
  expect(ok.headers.get('access-control-allow-origin')).toBe(uiUrl);

  expect((await decode({})).status).toBe(401);
  const student = await newStudent(h, 'Nosy Student');
  expect((await decode({ authorization: `Bearer ${student.token}` })).status).toBe(403);
  const elsewhere = await decode({ authorization: `Bearer ${support}`, origin: 'https://evil.example' });
  expect(elsewhere.status).toBe(403);
  expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
  const preflight = await fetch(`${h.baseUrl}/codec/decode`, {
    method: 'OPTIONS',
    headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
  });
  expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
});

test("the Temporal UI never passes its own sign-in's access token to the codec server, which would refuse it", async () => {
  const config = temporalUiConfig({
    executable: 'temporal-ui-server',
    port: 8233,
    temporalAddress: '127.0.0.1:7233',
    logFile: path.join(dir, 'unused.log'),
    dataDir: dir,
    codecEndpoint: `${h.baseUrl}/codec`,
    codecIncludeCredentials: true,
    auth: {
      issuerUrl: 'https://id.example',
      clientId: 'temporal-ui',
      clientSecret: 'secret',
      callbackUrl: `${uiUrl}/auth/sso/callback`,
    },
  });
  expect(config.codec).toMatchObject({ passAccessToken: false, includeCredentials: true });
  // What the UI would send with passAccessToken on: the identity provider's token, unknown to the API.
  const providerToken = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJvcHMifQ.c2lnbmF0dXJl';
  const decode = await call(h.baseUrl, 'POST', '/codec/decode', {
    headers: { authorization: `Bearer ${providerToken}`, origin: uiUrl },
    body: { payloads: [] },
  });
  expect(decode.status).toBe(401);
});

test('the Temporal UI server npm start runs answers 405 to a write through its API; queries still answer', async () => {
  const employer = await newEmployer(h);
  const id = await newPosting(h, employer);
  const workflowId = internshipWorkflowId(id);
  // The CSRF token the UI hands every page, sent back as the UI sends it: only the guard refuses.
  const page = await fetch(`${uiUrl}/healthz`);
  const csrf = /_csrf=([^;]+)/.exec(page.headers.getSetCookie().join('\n'))![1]!;
  const api = `${uiUrl}/api/v1/namespaces/${h.temporalTarget.namespace}/workflows/${encodeURIComponent(workflowId)}`;
  const post = (action: string, body: object) =>
    fetch(`${api}/${action}`, {
      method: 'POST',
      headers: { cookie: `_csrf=${csrf}`, 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  expect((await post('terminate', { reason: 'from the UI' })).status).toBe(405);
  expect((await post('signal/stripeEvent', {})).status).toBe(405);
  expect((await post('cancel', {})).status).toBe(405);
  const query = await post(`query/${internshipStateQuery.name}`, {
    query: { queryType: internshipStateQuery.name },
  });
  expect(query.status).toBe(200);
  expect((await h.temporal.workflow.getHandle(workflowId).describe()).status.name).toBe('RUNNING');
});
