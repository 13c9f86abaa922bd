/**
 * The Temporal UI links the platform prints (the demo's "watch it live" and "the whole history")
 * open the workflow in a real browser, on a dev server with its UI.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { chromium, type Browser, type Page } from 'playwright-core';
import { workflowHistoryUrl, workflowListUrl } from '../../lib/temporal-ui';
import { freePort, type Service } from '../../scripts/stack/processes';
import { startTemporalDevServer } from '../../scripts/stack/services';
import { readTools } from '../../scripts/stack/tools';
import { searchAttributes } from '../../workflows/definitions';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const dir = mkdtempSync(path.join(os.tmpdir(), 'mi-ui-'));
let server: Service & { uiUrl: string; address: string };
let connection: Connection;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(executablePath)) throw new Error(`Chromium not found at ${executablePath}`);
  const [port, uiPort] = [await freePort(), await freePort()];
  server = await startTemporalDevServer({
    executable: readTools().temporal,
    port: port,
    uiPort: uiPort,
    dbFile: path.join(dir, 'temporal.sqlite'),
    logFile: path.join(dir, 'temporal.log'),
  });
  connection = await Connection.connect({ address: server.address });
  browser = await chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await connection?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** What the page shows once the UI has loaded the workflow (or failed to). */
async function shown(page: Page, url: string, expected: RegExp): Promise<string> {
  await page.goto(url);
  await page.getByText(expected).first().waitFor({ timeout: 20_000 });
  return (await page.innerText('body')).replace(/\s+/g, ' ');
}

test('the history link opens the workflow run, and the status list finds it; the address without the run does not', async () => {
  const workflowId = `internship:ui-${Date.now()}`;
  // No worker: the run stays open with its first events, which is all the UI needs to show.
  await new Client({ connection }).workflow.start('internshipWorkflow', {
    taskQueue: 'nobody-polls',
    workflowId,
    args: [],
    typedSearchAttributes: [{ key: searchAttributes.status, value: 'InReview' }],
  });
  const ui = { baseUrl: server.uiUrl, namespace: 'default' };
  const page = await browser.newPage();

  const history = await workflowHistoryUrl(connection, ui, workflowId);
  const body = await shown(page, history, /WorkflowExecutionStarted|Workflow Execution Started/i);
  expect(body).toContain(workflowId);
  expect(body).not.toMatch(/Bad Request/);

  const list = await shown(page, workflowListUrl(ui, 'InternshipStatus="InReview"'), new RegExp(workflowId));
  expect(list).toContain(workflowId);

  // The address the demo used to print: the UI cannot load it.
  const withoutRun = `${server.uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/history`;
  expect(await shown(page, withoutRun, /Bad Request/)).toContain('400');
});
