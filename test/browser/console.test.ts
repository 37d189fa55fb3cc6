/**
 * The console in a real browser (headless Chromium, test/helpers/browser.ts): an identity broker's
 * sign-in URL followed to the console, the credentials page, sign-out; each page screenshotted
 * into test-artifacts/console/ and checked with axe-core (no serious or critical violation), and
 * the page's Content-Security-Policy holding (no script runs, nothing is refused by it).
 */
import { GetFederationTokenCommand } from '@aws-sdk/client-sts';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityViolations, launchChromium, screenshot, serious, type Browser } from '../helpers/browser.js';
import { loginUrl, signinTokenUrl } from '../helpers/console.js';
import { allow, startService, type TestService } from '../helpers/service.js';

let svc: TestService;
let browser: Browser;

beforeAll(async () => {
  svc = await startService();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await svc?.close();
});

/** Screenshot and accessibility check of the page as it is now. */
async function checkPage(page: Page, name: string): Promise<void> {
  await screenshot(page, 'console', name);
  const violations = await accessibilityViolations(page);
  expect(serious(violations), `${name}: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
}

/** Console messages the page printed (a CSP refusal shows up here). */
function watch(page: Page): string[] {
  const messages: string[] = [];
  page.on('console', (m) => messages.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => messages.push(`pageerror: ${e.message}`));
  return messages;
}

describe('federation sign-in in a browser', () => {
  it('follows a broker’s sign-in URL to the console, gets credentials, signs out', async () => {
    const broker = await svc.userWithPolicy('browser-broker', allow('sts:GetFederationToken'));
    const r = await svc.sts(broker).send(new GetFederationTokenCommand({ Name: 'zoe', Policy: JSON.stringify(allow('s3:GetObject')) }));
    const res = await fetch(signinTokenUrl(svc.url, r.Credentials ?? {}, ''));
    const { SigninToken } = (await res.json()) as { SigninToken: string };

    const page = await browser.newPage();
    const messages = watch(page);
    await page.goto(loginUrl(svc.url, SigninToken, '/console', 'https://broker.example/login'));
    expect(new URL(page.url()).pathname).toBe('/console');
    await expect(page.locator('dd code').first().textContent()).resolves.toBe(`arn:aws:sts::${svc.account.accountId}:federated-user/zoe`);
    await checkPage(page, 'federation-home');

    await page.getByRole('button', { name: 'Get credentials' }).click();
    await expect(page.locator('h1').textContent()).resolves.toBe('Credentials');
    const blocks = await page.locator('pre code').allTextContents();
    expect(blocks[0]).toContain(`export AWS_ACCESS_KEY_ID=${r.Credentials?.AccessKeyId}`);
    await checkPage(page, 'federation-credentials');

    await page.goto(`${svc.url}/console`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('signed out');
    await expect(page.getByRole('link', { name: 'Return to your sign-in page' }).getAttribute('href')).resolves.toBe('https://broker.example/login');
    await checkPage(page, 'signed-out');
    // The cookie is gone: the console sends the browser to the sign-in page.
    await page.goto(`${svc.url}/console`);
    expect(new URL(page.url()).pathname).toBe('/console/signin');
    await checkPage(page, 'sign-in');
    expect(messages.filter((m) => /Content Security Policy|Refused/i.test(m))).toEqual([]);
    await page.close();
  });

  it('shows a readable, accessible error page for a used sign-in URL', async () => {
    const broker = await svc.userWithPolicy('browser-broker-2', allow('sts:GetFederationToken'));
    const r = await svc.sts(broker).send(new GetFederationTokenCommand({ Name: 'yann' }));
    const { SigninToken } = (await (await fetch(signinTokenUrl(svc.url, r.Credentials ?? {}, ''))).json()) as { SigninToken: string };
    const url = loginUrl(svc.url, SigninToken);
    const page = await browser.newPage();
    await page.goto(url);
    const again = await page.goto(url);
    expect(again?.status()).toBe(400);
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/already been used/);
    await checkPage(page, 'used-sign-in-url');
    await page.close();
  });
});
