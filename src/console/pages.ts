/**
 * The console's pages: server-rendered HTML, no script at all (the Content-Security-Policy allows
 * none), one stylesheet of our own. Every value from outside is escaped here; labels for every
 * field and alerts for errors, so the pages pass an accessibility check (test/console/).
 */
import type { CredentialFormats } from './credentials.js';
import type { ConsoleSession } from './session.js';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A template literal whose ${values} are escaped, unless they are Html already. */
class Html {
  constructor(readonly text: string) {}
}
type Part = string | number | Html | undefined | readonly Html[];
function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    if (v instanceof Html) out += v.text;
    else if (Array.isArray(v)) out += (v as readonly Html[]).map((h) => h.text).join('');
    else if (v !== undefined) out += escapeHtml(String(v));
    out += strings[i + 1] ?? '';
  });
  return new Html(out);
}

function page(title: string, body: Html): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Latchkey</title>
<link rel="stylesheet" href="/console/style.css">
</head>
<body>
<header><p class="brand">Latchkey console</p></header>
<main>
<h1>${title}</h1>
${body}
</main>
</body>
</html>
`.text;
}

function alert(error: string | undefined): Html {
  return error === undefined ? html`` : html`<p class="error" role="alert">${error}</p>`;
}

function csrfField(csrf: string): Html {
  return html`<input type="hidden" name="csrf" value="${csrf}">`;
}

export function signInPage(p: { csrf: string; error?: string | undefined; account?: string | undefined; userName?: string | undefined; passwordSignIn: boolean }): string {
  if (!p.passwordSignIn) {
    return page('Sign in', html`<p>Password sign-in is not enabled on this service. Identity brokers sign people in through the federation endpoint (<code>/federation</code>).</p>`);
  }
  return page(
    'Sign in',
    html`${alert(p.error)}
<form method="post" action="/console/signin">
${csrfField(p.csrf)}
<p><label for="account">Account ID (12 digits) or account alias</label>
<input id="account" name="account" autocomplete="organization" required maxlength="63" value="${p.account ?? ''}"></p>
<p><label for="username">IAM user name</label>
<input id="username" name="username" autocomplete="username" required maxlength="64" value="${p.userName ?? ''}"></p>
<p><label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="128"></p>
<p><button type="submit">Sign in</button></p>
</form>`,
  );
}

export function mfaPage(p: { csrf: string; error?: string | undefined }): string {
  return page(
    'Multi-factor authentication',
    html`${alert(p.error)}
<p>Enter the code from your authenticator app.</p>
<form method="post" action="/console/mfa">
${csrfField(p.csrf)}
<p><label for="code">MFA code</label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required maxlength="6"></p>
<p><button type="submit">Continue</button></p>
</form>`,
  );
}

export function changePasswordPage(p: { csrf: string; error?: string | undefined; reason?: 'reset' | 'expired' | undefined; forced: boolean }): string {
  const why =
    p.reason === 'expired' ? 'Your password has expired. Choose a new one to continue.' : p.reason === 'reset' ? 'Your administrator requires you to choose a new password.' : 'Choose a new password.';
  return page(
    'Change password',
    html`${alert(p.error)}
<p>${why}</p>
<form method="post" action="${p.forced ? '/console/signin/password' : '/console/password'}">
${csrfField(p.csrf)}
<p><label for="current">Current password</label>
<input id="current" name="current" type="password" autocomplete="current-password" required maxlength="128"></p>
<p><label for="new">New password</label>
<input id="new" name="new" type="password" autocomplete="new-password" required maxlength="128"></p>
<p><label for="confirm">Confirm new password</label>
<input id="confirm" name="confirm" type="password" autocomplete="new-password" required maxlength="128"></p>
<p><button type="submit">Change password</button></p>
</form>
${p.forced ? html`` : html`<p><a href="/console">Back to the console</a></p>`}`,
  );
}

function describeSession(s: ConsoleSession): Html {
  const how = s.via === 'password' ? (s.mfa !== undefined ? 'password and MFA' : 'password') : 'identity broker (federation)';
  return html`<dl>
<dt>Signed in as</dt><dd><code>${s.arn}</code></dd>
<dt>Account</dt><dd><code>${s.acct}</code></dd>
<dt>Signed in with</dt><dd>${how}</dd>
<dt>Session ends</dt><dd><time datetime="${new Date(s.exp * 1000).toISOString()}">${new Date(s.exp * 1000).toISOString()}</time></dd>
</dl>`;
}

export function homePage(p: { session: ConsoleSession; notice?: string | undefined }): string {
  const s = p.session;
  return page(
    'Console',
    html`${p.notice === undefined ? html`` : html`<p class="notice" role="status">${p.notice}</p>`}
${describeSession(s)}
<h2>Command line and SDK access</h2>
<p>Temporary credentials for this session, valid until it ends at the latest, for the AWS CLI, boto3 and the SDKs.</p>
<form method="post" action="/console/credentials">
${csrfField(s.csrf)}
<p><button type="submit">Get credentials</button></p>
</form>
${s.via === 'password' ? html`<h2>Password</h2><p><a href="/console/password">Change your password</a></p>` : html``}
<h2>Sign out</h2>
<form method="post" action="/console/signout">
${csrfField(s.csrf)}
<p><button type="submit">Sign out</button></p>
</form>`,
  );
}

export function credentialsPage(p: { session: ConsoleSession; formats: CredentialFormats; expiration: Date }): string {
  const f = p.formats;
  return page(
    'Credentials',
    html`${describeSession(p.session)}
<p>These credentials expire at <time datetime="${p.expiration.toISOString()}">${p.expiration.toISOString()}</time>. Keep them secret; this page is not cached.</p>
<h2 id="env-title">Environment variables</h2>
<pre aria-labelledby="env-title" tabindex="0"><code>${f.environment}</code></pre>
<h2 id="profile-title">Profile in <code>~/.aws/credentials</code></h2>
<pre aria-labelledby="profile-title" tabindex="0"><code>${f.profile}</code></pre>
<h2 id="process-title"><code>credential_process</code> output</h2>
<pre aria-labelledby="process-title" tabindex="0"><code>${f.credentialProcess}</code></pre>
<p><a href="/console">Back to the console</a></p>`,
  );
}

export function signedOutPage(p: { issuer?: string | undefined }): string {
  return page(
    'Signed out',
    html`<p role="status">You are signed out.</p>
${p.issuer === undefined ? html`<p><a href="/console/signin">Sign in again</a></p>` : html`<p><a href="${p.issuer}">Return to your sign-in page</a></p>`}`,
  );
}

export function errorPage(title: string, message: string): string {
  return page(title, html`<p class="error" role="alert">${message}</p><p><a href="/console/signin">Sign in</a></p>`);
}

export const STYLESHEET = `:root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5;color:#1b1f24;background:#f6f7f9}
body{margin:0}
header{background:#1b2a3a;color:#fff;padding:.75rem 1.5rem}
.brand{margin:0;font-weight:600}
main{max-width:46rem;margin:2rem auto;padding:0 1.5rem}
h1{font-size:1.6rem}
h2{font-size:1.15rem;margin-top:2rem}
label{display:block;font-weight:600;margin-bottom:.25rem}
input{font:inherit;padding:.45rem .6rem;width:100%;max-width:24rem;box-sizing:border-box;border:1px solid #6b7480;border-radius:4px;background:#fff;color:#1b1f24}
input:focus,button:focus,a:focus,pre:focus{outline:3px solid #2f6fdd;outline-offset:2px}
button{font:inherit;padding:.5rem 1.1rem;border:0;border-radius:4px;background:#1d5bbf;color:#fff;cursor:pointer}
a{color:#1a4fa3}
.error{color:#8a1111;background:#fde8e8;border:1px solid #8a1111;padding:.6rem .8rem;border-radius:4px}
.notice{color:#0c4a21;background:#e3f5e8;border:1px solid #0c4a21;padding:.6rem .8rem;border-radius:4px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}
dt{font-weight:600}
dd{margin:0;overflow-wrap:anywhere}
pre{background:#fff;border:1px solid #6b7480;border-radius:4px;padding:.75rem;white-space:pre-wrap;overflow-wrap:anywhere;font-size:.85rem}
`;
