/**
 * Where a federation sign-in may send the browser (`Destination`), and what an `Issuer` may be.
 * Never an open redirect: the destination is this service's own console (a path under /console,
 * given as a path or as an absolute URL of this origin), or a URL under one of the configured
 * CONSOLE_DESTINATIONS prefixes. AWS's own console URL (brokers written for AWS send
 * https://console.aws.amazon.com/…) stands for this console's home page.
 */

const MAX_URL_LENGTH = 2048;
export const CONSOLE_HOME = '/console';
const AWS_CONSOLE_HOSTS = new Set(['console.aws.amazon.com', 'signin.aws.amazon.com']);

/** Only printable ASCII without spaces or backslashes: nothing a browser reads differently from us. */
function plainUrlText(text: string): boolean {
  return text.length > 0 && text.length <= MAX_URL_LENGTH && /^[\x21-\x7e]+$/.test(text) && !text.includes('\\');
}

/**
 * The URL to redirect to after a federation sign-in, or undefined when `destination` is not
 * allowed. `origin` is this service's origin as the browser reached it (scheme://host[:port]);
 * `allowed` the configured prefixes (absolute http(s) URLs).
 */
export function resolveDestination(destination: string | undefined, origin: string, allowed: readonly string[]): string | undefined {
  if (destination === undefined || destination === '') return CONSOLE_HOME;
  if (!plainUrlText(destination)) return undefined;
  // A path of ours: exactly /console or under /console/, no scheme-relative `//host`.
  if (destination.startsWith('/')) return ownConsolePath(destination);
  let url: URL;
  try {
    url = new URL(destination);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== '') return undefined;
  if (url.origin === origin) return ownConsolePath(`${url.pathname}${url.search}`);
  if (url.protocol === 'https:' && AWS_CONSOLE_HOSTS.has(url.hostname)) return CONSOLE_HOME;
  const text = url.href;
  for (const prefix of allowed) if (underPrefix(text, prefix)) return text;
  return undefined;
}

function ownConsolePath(path: string): string | undefined {
  if (path.startsWith('//')) return undefined;
  let url: URL;
  try {
    url = new URL(path, 'http://console.invalid');
  } catch {
    return undefined;
  }
  // Normalised by the URL parser: dot segments cannot climb out of /console.
  if (url.host !== 'console.invalid') return undefined;
  if (url.pathname !== CONSOLE_HOME && !url.pathname.startsWith(`${CONSOLE_HOME}/`)) return undefined;
  return `${url.pathname}${url.search}`;
}

/** `text` is `prefix` or continues it at a path boundary (a prefix https://a.example/app does not allow https://a.example/apple). */
function underPrefix(text: string, prefix: string): boolean {
  if (!text.startsWith(prefix)) return false;
  if (text.length === prefix.length || prefix.endsWith('/')) return true;
  const next = text[prefix.length];
  return next === '/' || next === '?' || next === '#';
}

/** The `Issuer` a federation sign-in names (the broker's URL, offered as a link at sign-out), when it is an http(s) URL. */
export function acceptIssuer(issuer: string | undefined): string | undefined {
  if (issuer === undefined || !plainUrlText(issuer)) return undefined;
  try {
    const url = new URL(issuer);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === '' ? url.href : undefined;
  } catch {
    return undefined;
  }
}
