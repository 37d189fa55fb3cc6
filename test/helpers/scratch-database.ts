import { randomBytes } from 'node:crypto';
import { adminUrl, dropDatabase } from './pg-names.js';

/** A fresh database beside the one `url` names (same server and role), and a way to drop it. */
export async function scratchDatabase(url: string, prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const postgres = (await import('postgres')).default;
  const admin = postgres(adminUrl(url), { max: 1, onnotice: () => {} });
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await admin.unsafe(`create database "${name}"`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      await dropDatabase(admin, name);
      await admin.end();
    },
  };
}
