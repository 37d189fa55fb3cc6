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

/**
 * `drop database … with (force)`, tried again for a moment when PostgreSQL refuses to end a
 * backend of another role: an autovacuum worker that started on the scratch database (after a test
 * wrote many rows) runs as no role of ours. It ends by itself within moments.
 */
export async function dropDatabase(admin: { unsafe(query: string): PromiseLike<unknown> }, name: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      return;
    } catch (err) {
      // 42501 insufficient_privilege: "must be a member of the role whose process is being terminated…"
      if ((err as { code?: string }).code !== '42501' || attempt >= 50) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
