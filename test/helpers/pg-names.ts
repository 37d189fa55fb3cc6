/** Database names derived from LATCHKEY_TEST_DATABASE_URL. */
export function databaseOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1)) || 'postgres';
}

export function templateName(url: string): string {
  return `${databaseOf(url)}_template`;
}

/** The same server, connected to the maintenance database (to create and drop databases). */
export function adminUrl(url: string): string {
  const u = new URL(url);
  u.pathname = '/postgres';
  return u.toString();
}
