/** What authentication needs to know about a long-term access key, in one read. */
import { eq } from 'drizzle-orm';
import type { Db } from './db.js';
import { accessKeys, users } from './schema.js';

export interface AccessKeyOwner {
  readonly accessKeyId: string;
  readonly accountId: string;
  readonly status: 'Active' | 'Inactive';
  readonly secretSealed: string;
  /**
   * When the key was last made Inactive (epoch ms), undefined if never: a session whose `srcOff`
   * differs was issued before that and stays refused (src/auth/authenticate.ts).
   */
  readonly deactivatedAt: number | undefined;
  /** Absent for the account's root user. */
  readonly user?: { readonly id: string; readonly name: string; readonly path: string };
}

export async function findAccessKeyOwner(db: Db, accessKeyId: string): Promise<AccessKeyOwner | undefined> {
  const [row] = await db
    .select({ key: accessKeys, user: { id: users.id, name: users.name, path: users.path } })
    .from(accessKeys)
    .leftJoin(users, eq(users.id, accessKeys.userId))
    .where(eq(accessKeys.id, accessKeyId));
  if (!row) return undefined;
  const { key, user } = row;
  return {
    accessKeyId: key.id,
    accountId: key.accountId,
    status: key.status,
    secretSealed: key.secretSealed,
    deactivatedAt: key.deactivatedAt?.getTime(),
    ...(user ? { user } : {}),
  };
}

/** Record a key's last use (GetAccessKeyLastUsed). Callers throttle this: it is off the hot path. */
export async function touchAccessKey(db: Db, accessKeyId: string, at: Date, service: string, region: string): Promise<void> {
  await db
    .update(accessKeys)
    .set({ lastUsedAt: at, lastUsedService: service, lastUsedRegion: region })
    .where(eq(accessKeys.id, accessKeyId));
}
