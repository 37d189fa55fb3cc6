/** Setting and clearing the permissions boundary of a user or a role. */
import { eq } from 'drizzle-orm';
import type { Db } from './db.js';
import { roles, users } from './schema.js';

export async function setUserBoundary(db: Db, userId: string, policyId: string | null): Promise<void> {
  await db.update(users).set({ boundaryPolicyId: policyId }).where(eq(users.id, userId));
}

export async function setRoleBoundary(db: Db, roleId: string, policyId: string | null): Promise<void> {
  await db.update(roles).set({ boundaryPolicyId: policyId }).where(eq(roles.id, roleId));
}
