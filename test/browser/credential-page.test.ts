/**
 * The public credential page in a real browser, without signing in: it states the verification
 * result and what the credential says, carries link-preview tags, and its download link gives a
 * badge that jose (not our code) verifies against the keys the page links to — and refuses after one
 * changed byte. A private or unknown credential is a plain 404; an altered one says it does not verify.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { call, startApiHarness, type ApiHarness } from '../helpers/harness';
import { sharedCredential } from '../helpers/journeys';
import { visited } from '../helpers/page-checks';

/** jose, the independent verifier: ES modules only, so loaded with import(). */
const loadJose = () => import('jose');
let jose: Awaited<ReturnType<typeof loadJose>>;
let h: ApiHarness;
let browser: Browser;

beforeAll(async () => {
  jose = await loadJose();
  h = await startApiHarness();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

const meta = (page: Page, attribute: 'property' | 'name', key: string) =>
  page.locator(`meta[${attribute}="${key}"]`).getAttribute('content');

test('anyone opens a shared credential, reads that it verifies, shares it with a preview, and verifies the downloaded badge with jose', async () => {
  // Given a completed micro-internship whose student shared the credential by link
  const { credentialId, student } = await sharedCredential(h, 'Amara Okafor', 'Clean a churn dataset');
  const address = `${h.baseUrl}/c/${credentialId}`;
  const context = await browser.newContext({
    timezoneId: 'Europe/Paris',
    viewport: { width: 1280, height: 900 },
  });
  const page = await context.newPage();

  // A recruiter, not signed in, opens the address the badge names as its id
  const response = await page.goto(address);
  expect(response!.status()).toBe(200);
  // Dates are in UTC, so labelled, until the browser has told its zone (app.js, on the first visit)
  expect(await page.locator('main').innerText()).toMatch(/\d{2}:\d{2} UTC/);
  await page.reload();
  expect(await page.locator('[role=status]').textContent()).toContain('Verified');
  const main = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
  expect(main).toContain('Amara Okafor');
  expect(main).toContain('Clean a churn dataset');
  expect(main).toContain('Contoso Analytics');
  expect(main).toMatch(/Completed .*\d{2}:\d{2} CES?T/);
  expect(await page.getByRole('link', { name: 'Sign in' }).count()).toBe(1);
  await visited(page, 'credential');

  // What a shared link shows before it is opened
  expect(await meta(page, 'property', 'og:title')).toBe('Amara Okafor: Clean a churn dataset');
  expect(await meta(page, 'property', 'og:url')).toBe(address);
  expect(await meta(page, 'property', 'og:type')).toBe('website');
  expect(await meta(page, 'property', 'og:description')).toMatch(
    /^Verified credential: Amara Okafor completed the paid micro-internship “Clean a churn dataset” for Contoso Analytics/,
  );
  expect(await meta(page, 'name', 'twitter:card')).toBe('summary');
  expect(await meta(page, 'name', 'twitter:title')).toBe('Amara Okafor: Clean a churn dataset');

  // The badge downloads from the page's link; jose verifies it with the keys the page links to
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download the badge (VC-JWT)' }).click(),
  ]);
  const jwt = readFileSync(await download.path(), 'utf8');
  const jwksHref = await page.getByRole('link', { name: 'The public keys (JWKS)' }).getAttribute('href');
  const keys = jose.createRemoteJWKSet(new URL(jwksHref!));
  const issuer = `did:web:${encodeURIComponent(new URL(h.baseUrl).host)}`;
  const { payload } = await jose.jwtVerify(jwt, keys, { algorithms: ['EdDSA'], typ: 'JWT', issuer });
  expect(payload).toMatchObject({ id: address, credentialSubject: { name: 'Amara Okafor' } });
  const didHref = await page.getByRole('link', { name: /DID document/ }).getAttribute('href');
  expect(((await (await fetch(didHref!)).json()) as { id: string }).id).toBe(issuer);

  // One changed byte of the payload and it no longer verifies
  const [header, body, signature] = jwt.split('.') as [string, string, string];
  const text = Buffer.from(body, 'base64url').toString('utf8').replace('Amara', 'Amari');
  const forged = [header, Buffer.from(text, 'utf8').toString('base64url'), signature].join('.');
  await expect(jose.jwtVerify(forged, keys, { algorithms: ['EdDSA'] })).rejects.toMatchObject({
    code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  });

  // Made private again by its student, the address is a plain 404, as is one that never existed
  await call(h.baseUrl, 'PUT', `/v1/credentials/${credentialId}/sharing`, {
    token: student.token,
    body: { visibility: 'private' },
  });
  for (const gone of [
    address,
    `${h.baseUrl}/c/00000000-0000-4000-8000-000000000000`,
    `${h.baseUrl}/c/nope`,
  ]) {
    const notFound = await page.goto(gone);
    expect(notFound!.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toBe('Not found');
    expect(await page.locator('meta[property="og:title"]').count()).toBe(0);
  }
  await visited(page, 'credential-not-found');
  await context.close();
});

test('a stored credential that was altered is shown as not verified', async () => {
  const { credentialId } = await sharedCredential(h, 'Tomás Ruiz', 'Tag support tickets');
  await h.db.query(`UPDATE credentials SET payload = replace(payload, 'Tomás', 'Tomas') WHERE id = $1`, [
    credentialId,
  ]);
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${h.baseUrl}/c/${credentialId}`);
  expect(await page.locator('[role=alert]').textContent()).toContain('Not verified');
  expect(await meta(page, 'property', 'og:description')).toMatch(/^Unverified credential/);
  await visited(page, 'credential-not-verified');
  await context.close();
});
