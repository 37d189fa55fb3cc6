/**
 * The console in a real browser (headless Chromium, test/helpers/browser.ts): a password sign-in
 * with an MFA code and the forced password change, a chosen password change, an identity
 * broker's sign-in URL followed to the console, the credentials page, sign-out; each page screenshotted
 * into test-artifacts/console/ and checked with axe-core (no serious or critical violation), and
 * the page's Content-Security-Policy holding (no script runs, nothing is refused by it).
 */
import { CreateLoginProfileCommand, UpdateAccountPasswordPolicyCommand } from '@aws-sdk/client-iam';
import { GetFederationTokenCommand } from '@aws-sdk/client-sts';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityViolations, launchChromium, screenshot, serious, type Browser } from '../helpers/browser.js';
import { loginUrl, signinTokenUrl } from '../helpers/console.js';
import { enrolledDevice } from '../helpers/mfa.js';
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

describe('password sign-in in a browser', () => {
  it('signs in with a password and an MFA code, changes the forced password, then changes it again', async () => {
    const iam = svc.iam();
    await iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 12, RequireNumbers: true, AllowUsersToChangePassword: true }));
    await svc.userWithPolicy('olga', allow('iam:ListUsers'));
    await iam.send(new CreateLoginProfileCommand({ UserName: 'olga', Password: 'First-passw0rd-1', PasswordResetRequired: true }));
    const device = await enrolledDevice(svc, iam, 'olga');

    const page = await browser.newPage();
    const messages = watch(page);
    await page.goto(`${svc.url}/console`);
    expect(new URL(page.url()).pathname).toBe('/console/signin');
    await checkPage(page, 'sign-in-form');

    // A wrong password first: the same message whatever was wrong.
    await page.getByLabel('Account ID (12 digits) or account alias').fill(svc.account.accountId);
    await page.getByLabel('IAM user name').fill('olga');
    await page.getByLabel('Password').fill('Not-the-passw0rd');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toBe('Your authentication information is incorrect. Please try again.');
    await checkPage(page, 'sign-in-refused');

    await page.getByLabel('Password').fill('First-passw0rd-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(new URL(page.url()).pathname).toBe('/console/mfa');
    await checkPage(page, 'mfa-form');
    await page.getByLabel('MFA code').fill(device.code());
    await page.getByRole('button', { name: 'Continue' }).click();

    expect(new URL(page.url()).pathname).toBe('/console/signin/password');
    await checkPage(page, 'forced-password-change');
    await page.getByLabel('Current password').fill('First-passw0rd-1');
    await page.getByLabel('New password', { exact: true }).fill('short');
    await page.getByLabel('Confirm new password').fill('short');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/password/i);
    await checkPage(page, 'forced-password-change-refused');
    await page.getByLabel('Current password').fill('First-passw0rd-1');
    await page.getByLabel('New password', { exact: true }).fill('Second-passw0rd-2');
    await page.getByLabel('Confirm new password').fill('Second-passw0rd-2');
    await page.getByRole('button', { name: 'Change password' }).click();

    expect(new URL(page.url()).pathname).toBe('/console');
    await expect(page.getByRole('status').textContent()).resolves.toBe('Your password has been changed.');
    await expect(page.locator('dd code').first().textContent()).resolves.toBe(`arn:aws:iam::${svc.account.accountId}:user/olga`);
    await expect(page.locator('dd').nth(2).textContent()).resolves.toBe('password and MFA');
    await checkPage(page, 'password-home');

    await page.getByRole('link', { name: 'Change your password' }).click();
    await checkPage(page, 'password-change');
    await page.getByLabel('Current password').fill('Second-passw0rd-2');
    await page.getByLabel('New password', { exact: true }).fill('Third-passw0rd-33');
    await page.getByLabel('Confirm new password').fill('Third-passw0rd-33');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toBe('Your password has been changed.');

    await page.getByRole('button', { name: 'Get credentials' }).click();
    await expect(page.locator('pre code').first().textContent()).resolves.toMatch(/^export AWS_ACCESS_KEY_ID=ASIA/);
    await checkPage(page, 'password-credentials');
    expect(messages.filter((m) => /Content Security Policy|Refused/i.test(m))).toEqual([]);
    await page.close();
  });
});

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
