/**
 * A minimal browser for the console's HTTP tests: a cookie jar over fetch (redirects not
 * followed, so each step can be looked at), the CSRF token read from a page's form.
 */
export interface Page {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly location: string | undefined;
}

export class ConsoleClient {
  readonly cookies = new Map<string, string>();

  constructor(readonly base: string) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** Keep what Set-Cookie says (an empty value or Max-Age=0 removes the cookie). */
  private remember(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0(;|$)/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Page> {
    return this.send(path, { method: 'GET', headers });
  }

  async post(path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Page> {
    return this.send(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form).toString() });
  }

  private async send(path: string, init: { method: string; headers: Record<string, string>; body?: string }): Promise<Page> {
    const url = path.startsWith('http') ? path : `${this.base}${path}`;
    const headers: Record<string, string> = { ...init.headers };
    if (this.cookies.size > 0) headers.cookie = this.cookieHeader();
    const res = await fetch(url, { method: init.method, headers, body: init.body ?? null, redirect: 'manual' });
    this.remember(res.headers);
    return { status: res.status, headers: res.headers, text: await res.text(), location: res.headers.get('location') ?? undefined };
  }
}

/** The CSRF token of the page's (first) form. */
export function csrfOf(page: Page): string {
  const m = /name="csrf" value="([^"]+)"/.exec(page.text);
  if (!m?.[1]) throw new Error(`no CSRF token in the page:\n${page.text.slice(0, 400)}`);
  return m[1];
}

/** The text of the page's <pre><code> blocks, unescaped. */
export function codeBlocks(page: Page): string[] {
  return [...page.text.matchAll(/<pre[^>]*><code>([\s\S]*?)<\/code><\/pre>/g)].map((m) => (m[1] ?? '').replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))));
}

/** getSigninToken's URL for credentials, as AWS's guide builds it. */
export function signinTokenUrl(base: string, c: { AccessKeyId?: string | undefined; SecretAccessKey?: string | undefined; SessionToken?: string | undefined }, extra = ''): string {
  const session = JSON.stringify({ sessionId: c.AccessKeyId, sessionKey: c.SecretAccessKey, sessionToken: c.SessionToken });
  return `${base}/federation?Action=getSigninToken${extra}&Session=${encodeURIComponent(session)}`;
}

export function loginUrl(base: string, token: string, destination = '/console', issuer = 'https://broker.example/login'): string {
  return `${base}/federation?Action=login&Issuer=${encodeURIComponent(issuer)}&Destination=${encodeURIComponent(destination)}&SigninToken=${encodeURIComponent(token)}`;
}
