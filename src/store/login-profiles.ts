/**
 * Passwords: users' login profiles (an argon2id PHC string, never the password), the earlier
 * hashes kept for reuse prevention, and the account's password policy.
 */
import { and, desc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { PasswordPolicy } from '../password-rules.js';
import type { Db } from './db.js';
import { accountPasswordPolicies, loginProfiles, passwordHistory, users } from './schema.js';

export interface LoginProfileRow {
  readonly userId: string;
  readonly accountId: string;
  readonly passwordHash: string;
  readonly passwordResetRequired: boolean;
  readonly passwordSetAt: Date;
  readonly passwordLastUsedAt: Date | null;
  readonly createdAt: Date;
}

/** At most this many earlier hashes are kept per user (the policy's PasswordReusePrevention is at most 24). */
export const MAX_HISTORY = 24;

export async function findLoginProfile(db: Db, userId: string): Promise<LoginProfileRow | undefined> {
  const [row] = await db.select().from(loginProfiles).where(eq(loginProfiles.userId, userId));
  return row;
}

/**
 * The profile, locked for this transaction; undefined when there is none. `nowait`: if another
 * transaction holds it, PostgreSQL fails at once (SQLSTATE 55P03) instead of queueing.
 */
export async function lockLoginProfile(db: Db, userId: string): Promise<LoginProfileRow | undefined> {
  const [row] = await db.select().from(loginProfiles).where(eq(loginProfiles.userId, userId)).for('update', { noWait: true });
  return row;
}

/** A user of the account by name (case-insensitively) with its login profile, if any: one statement for sign-in. */
export async function findUserWithProfile(
  db: Db,
  accountId: string,
  userName: string,
): Promise<{ readonly user: { readonly id: string; readonly name: string; readonly path: string }; readonly profile: LoginProfileRow | undefined } | undefined> {
  const [row] = await db
    .select({ id: users.id, name: users.name, path: users.path, profile: loginProfiles })
    .from(users)
    .leftJoin(loginProfiles, eq(loginProfiles.userId, users.id))
    .where(and(eq(users.accountId, accountId), eq(users.nameLower, userName.toLowerCase())));
  if (!row) return undefined;
  return { user: { id: row.id, name: row.name, path: row.path }, profile: row.profile ?? undefined };
}

export async function insertLoginProfile(db: Db, row: LoginProfileRow): Promise<void> {
  await db.insert(loginProfiles).values(row);
}

/** A new password: its hash, when it was set, and whether the user must change it at the next sign-in. */
export async function setPassword(db: Db, userId: string, passwordHash: string, setAt: Date, passwordResetRequired: boolean): Promise<void> {
  await db.update(loginProfiles).set({ passwordHash, passwordSetAt: setAt, passwordResetRequired }).where(eq(loginProfiles.userId, userId));
}

export async function setPasswordResetRequired(db: Db, userId: string, passwordResetRequired: boolean): Promise<void> {
  await db.update(loginProfiles).set({ passwordResetRequired }).where(eq(loginProfiles.userId, userId));
}

/** The same password, hashed again with today's parameters: only if the hash is still the one that was verified. */
export async function replaceHash(db: Db, userId: string, from: string, to: string): Promise<void> {
  await db.update(loginProfiles).set({ passwordHash: to }).where(and(eq(loginProfiles.userId, userId), eq(loginProfiles.passwordHash, from)));
}

/**
 * A successful sign-in at `at`. As AWS's PasswordLastUsed, "if a password is used more than once in
 * a five-minute span, only the first use is returned": the time moves only when the last one is
 * older than that.
 */
export async function touchPasswordUse(db: Db, userId: string, at: Date): Promise<void> {
  const fiveMinutesBefore = new Date(at.getTime() - 5 * 60_000);
  await db
    .update(loginProfiles)
    .set({ passwordLastUsedAt: at })
    .where(and(eq(loginProfiles.userId, userId), or(isNull(loginProfiles.passwordLastUsedAt), lt(loginProfiles.passwordLastUsedAt, fiveMinutesBefore))));
}

export async function deleteLoginProfileRow(db: Db, userId: string): Promise<void> {
  await db.delete(loginProfiles).where(eq(loginProfiles.userId, userId));
}

export async function hasLoginProfile(db: Db, userId: string): Promise<boolean> {
  return (await db.$count(loginProfiles, eq(loginProfiles.userId, userId))) > 0;
}

/* History -------------------------------------------------------------------------------------- */

/** The `depth` most recent hashes of the user's passwords (the current one first, when it was recorded). */
export async function recentHashes(db: Db, userId: string, depth: number): Promise<string[]> {
  if (depth <= 0) return [];
  const rows = await db
    .select({ hash: passwordHistory.passwordHash })
    .from(passwordHistory)
    .where(eq(passwordHistory.userId, userId))
    .orderBy(desc(passwordHistory.setAt))
    .limit(depth);
  return rows.map((r) => r.hash);
}

/** Record a password just set, keeping the MAX_HISTORY most recent. */
export async function recordHistory(db: Db, userId: string, passwordHash: string, setAt: Date): Promise<void> {
  await db.insert(passwordHistory).values({ userId, passwordHash, setAt }).onConflictDoUpdate({ target: [passwordHistory.userId, passwordHistory.setAt], set: { passwordHash } });
  await db.execute(sql`
    delete from ${passwordHistory} where ${passwordHistory.userId} = ${userId} and ${passwordHistory.setAt} not in (
      select ${passwordHistory.setAt} from ${passwordHistory} where ${passwordHistory.userId} = ${userId} order by ${passwordHistory.setAt} desc limit ${MAX_HISTORY}
    )`);
}

/** With the user: their earlier hashes go too. */
export async function deletePasswordHistory(db: Db, userId: string): Promise<void> {
  await db.delete(passwordHistory).where(eq(passwordHistory.userId, userId));
}

/* The account's password policy ----------------------------------------------------------------- */

export async function findPasswordPolicy(db: Db, accountId: string): Promise<PasswordPolicy | undefined> {
  const [row] = await db.select().from(accountPasswordPolicies).where(eq(accountPasswordPolicies.accountId, accountId));
  if (!row) return undefined;
  const { accountId: _id, ...policy } = row;
  return policy;
}

export async function putPasswordPolicy(db: Db, accountId: string, policy: PasswordPolicy): Promise<void> {
  await db.insert(accountPasswordPolicies).values({ accountId, ...policy }).onConflictDoUpdate({ target: accountPasswordPolicies.accountId, set: { ...policy } });
}

/** Whether there was one to delete. */
export async function deletePasswordPolicy(db: Db, accountId: string): Promise<boolean> {
  const deleted = await db.delete(accountPasswordPolicies).where(eq(accountPasswordPolicies.accountId, accountId)).returning({ accountId: accountPasswordPolicies.accountId });
  return deleted.length > 0;
}
