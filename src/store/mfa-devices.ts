/**
 * Virtual MFA devices: what the IAM operations manage, and what MFA verification reads and
 * advances. The device's id is its serial number (its ARN); the seed is stored only sealed
 * (`seed_sealed`, opened by src/auth/mfa.ts), never read into a log line here.
 *
 * Single use across nodes: `acceptTimeStep` is one conditional UPDATE that moves `last_time_step`
 * forward only, so of two requests presenting the same code (on one node or two) exactly one
 * changes the row and is accepted.
 */
import { and, asc, eq, gt, isNotNull, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from './db.js';
import { countInAccount } from './accounts.js';
import { mfaDevices, tags, users } from './schema.js';

export interface MfaDeviceRow {
  /** The serial number: `arn:aws:iam::ACCOUNT:mfa/PATH/NAME`. */
  readonly serial: string;
  readonly accountId: string;
  readonly name: string;
  readonly path: string;
  readonly seedSealed: string;
  /** The IAM user it is assigned to, if any. */
  readonly userId: string | null;
  /** Assigned to the account's root user. */
  readonly root: boolean;
  readonly enabledAt: Date | null;
  readonly lastTimeStep: number | null;
  readonly timeStepOffset: number;
  readonly createdAt: Date;
}

/** A device with the user it is assigned to (ListVirtualMFADevices shows the user). */
export interface MfaDeviceWithUser extends MfaDeviceRow {
  readonly user: { readonly id: string; readonly name: string; readonly path: string; readonly createdAt: Date } | null;
}

const columns = {
  serial: mfaDevices.id,
  accountId: mfaDevices.accountId,
  name: mfaDevices.name,
  path: mfaDevices.path,
  seedSealed: mfaDevices.seedSealed,
  userId: mfaDevices.userId,
  root: mfaDevices.root,
  enabledAt: mfaDevices.enabledAt,
  lastTimeStep: mfaDevices.lastTimeStep,
  timeStepOffset: mfaDevices.timeStepOffset,
  createdAt: mfaDevices.createdAt,
};

/** False when the account already has a device of this name (or this serial). */
export async function insertMfaDevice(db: Db, row: Omit<MfaDeviceRow, 'userId' | 'root' | 'enabledAt' | 'lastTimeStep' | 'timeStepOffset'>): Promise<boolean> {
  const inserted = await db
    .insert(mfaDevices)
    .values({ id: row.serial, accountId: row.accountId, name: row.name, nameLower: row.name.toLowerCase(), path: row.path, seedSealed: row.seedSealed, createdAt: row.createdAt })
    .onConflictDoNothing()
    .returning({ id: mfaDevices.id });
  return inserted.length > 0;
}

export async function findMfaDevice(db: Db, accountId: string, serial: string): Promise<MfaDeviceRow | undefined> {
  const [row] = await db.select(columns).from(mfaDevices).where(and(eq(mfaDevices.accountId, accountId), eq(mfaDevices.id, serial)));
  return row;
}

/**
 * The device, locked for the rest of the transaction (Enable, Deactivate, Resync, Delete read, then
 * write). `noWait`: if another transaction holds it, PostgreSQL fails at once (SQLSTATE 55P03)
 * instead of queueing.
 */
export async function lockMfaDevice(db: Db, accountId: string, serial: string, options: { readonly noWait?: boolean } = {}): Promise<MfaDeviceRow | undefined> {
  const [row] = await db
    .select(columns)
    .from(mfaDevices)
    .where(and(eq(mfaDevices.accountId, accountId), eq(mfaDevices.id, serial)))
    .for('update', options.noWait ? { noWait: true } : {});
  return row;
}

/** Whose devices: an IAM user's, or (null) the account root's. */
function ownedBy(userId: string | null): SQL | undefined {
  return userId === null ? eq(mfaDevices.root, true) : eq(mfaDevices.userId, userId);
}

/** The devices assigned to a user (or to root), in the order they were enabled. */
export async function listMfaDevicesOf(db: Db, accountId: string, userId: string | null): Promise<MfaDeviceRow[]> {
  return db
    .select(columns)
    .from(mfaDevices)
    .where(and(eq(mfaDevices.accountId, accountId), ownedBy(userId)))
    .orderBy(asc(mfaDevices.enabledAt), asc(mfaDevices.id));
}

export async function countMfaDevicesOf(db: Db, accountId: string, userId: string | null): Promise<number> {
  return db.$count(mfaDevices, and(eq(mfaDevices.accountId, accountId), ownedBy(userId)));
}

export type AssignmentStatus = 'Assigned' | 'Unassigned' | 'Any';

/** ListVirtualMFADevices: by serial, after the marker's serial, `limit` rows. */
export async function listVirtualMfaDevices(db: Db, accountId: string, opts: { status: AssignmentStatus; after: string | undefined; limit: number }): Promise<MfaDeviceWithUser[]> {
  const assigned = or(isNotNull(mfaDevices.userId), eq(mfaDevices.root, true));
  const unassigned = and(isNull(mfaDevices.userId), eq(mfaDevices.root, false));
  const rows = await db
    .select({ ...columns, uId: users.id, uName: users.name, uPath: users.path, uCreatedAt: users.createdAt })
    .from(mfaDevices)
    .leftJoin(users, eq(users.id, mfaDevices.userId))
    .where(
      and(
        eq(mfaDevices.accountId, accountId),
        opts.status === 'Assigned' ? assigned : opts.status === 'Unassigned' ? unassigned : undefined,
        opts.after === undefined ? undefined : gt(mfaDevices.id, opts.after),
      ),
    )
    .orderBy(asc(mfaDevices.id))
    .limit(opts.limit);
  return rows.map(({ uId, uName, uPath, uCreatedAt, ...row }) => ({
    ...row,
    user: uId !== null && uName !== null && uPath !== null && uCreatedAt !== null ? { id: uId, name: uName, path: uPath, createdAt: uCreatedAt } : null,
  }));
}

/**
 * EnableMFADevice: assign an unassigned device to a user, with the step of the second code as the
 * last one accepted. False when the device is assigned already (the row is locked by the caller,
 * so this is a second guard, not the only one).
 */
export async function assignMfaDevice(db: Db, serial: string, userId: string, enabledAt: Date, lastTimeStep: number): Promise<boolean> {
  const updated = await db
    .update(mfaDevices)
    .set({ userId, enabledAt, lastTimeStep, timeStepOffset: 0 })
    .where(and(eq(mfaDevices.id, serial), isNull(mfaDevices.userId), eq(mfaDevices.root, false)))
    .returning({ id: mfaDevices.id });
  return updated.length > 0;
}

/**
 * DeactivateMFADevice: the device is kept (with its seed) and can be enabled again. Its last
 * accepted step is kept too: the seed is the same, so the codes it already accepted must stay
 * spent when it is enabled again (EnableMFADevice wants two codes after it).
 */
export async function unassignMfaDevice(db: Db, serial: string): Promise<void> {
  await db.update(mfaDevices).set({ userId: null, root: false, enabledAt: null, timeStepOffset: 0 }).where(eq(mfaDevices.id, serial));
}

/** ResyncMFADevice: the device's clock offset and the step of its second code, learnt together (the caller checked that step is later than the last accepted). */
export async function resyncMfaDevice(db: Db, serial: string, lastTimeStep: number, timeStepOffset: number): Promise<void> {
  await db.update(mfaDevices).set({ lastTimeStep, timeStepOffset }).where(eq(mfaDevices.id, serial));
}

/**
 * Accept a code of time step `step` for this assigned device: true when this call moved
 * `last_time_step` forward to it, false when that step (or a later one) was accepted already, on
 * this node or another, or the device is no longer assigned to `userId`.
 */
export async function acceptTimeStep(db: Db, serial: string, userId: string, step: number): Promise<boolean> {
  const updated = await db
    .update(mfaDevices)
    .set({ lastTimeStep: step })
    .where(and(eq(mfaDevices.id, serial), eq(mfaDevices.userId, userId), or(isNull(mfaDevices.lastTimeStep), lt(mfaDevices.lastTimeStep, step))))
    .returning({ id: mfaDevices.id });
  return updated.length > 0;
}

/** The device and its tags. */
export async function deleteMfaDevice(db: Db, serial: string): Promise<void> {
  await db.delete(tags).where(eq(tags.ownerId, serial));
  await db.delete(mfaDevices).where(eq(mfaDevices.id, serial));
}

/** GetAccountSummary's `MFADevices`: every device of the account, assigned or not. */
export async function countMfaDevices(db: Db, accountId: string): Promise<number> {
  return countInAccount(db, mfaDevices, accountId);
}

/** GetAccountSummary's `MFADevicesInUse` and `AccountMFAEnabled`. */
export async function mfaDeviceUsage(db: Db, accountId: string): Promise<{ readonly inUse: number; readonly root: number }> {
  const [row] = await db
    .select({
      inUse: sql<number>`count(*) filter (where ${mfaDevices.userId} is not null or ${mfaDevices.root})::int`,
      root: sql<number>`count(*) filter (where ${mfaDevices.root})::int`,
    })
    .from(mfaDevices)
    .where(eq(mfaDevices.accountId, accountId));
  return { inUse: Number(row?.inUse ?? 0), root: Number(row?.root ?? 0) };
}
