/** The entity counts GetAccountSummary reports, read in one place. */
import { and, eq, isNull } from 'drizzle-orm';
import { countRows } from './count.js';
import type { Db } from './db.js';
import { accessKeys, policyAttachments } from './schema.js';

export interface AccountUsage {
  readonly users: number;
  readonly groups: number;
  readonly roles: number;
  readonly policies: number;
  /** Attachments of managed policies to users, groups and roles (each attaches the default version). */
  readonly policyVersionsInUse: number;
  readonly rootAccessKeys: number;
}

export async function accountUsage(db: Db, accountId: string): Promise<AccountUsage> {
  return {
    users: await countRows(db, 'users', accountId),
    groups: await countRows(db, 'groups', accountId),
    roles: await countRows(db, 'roles', accountId),
    policies: await countRows(db, 'managedPolicies', accountId),
    policyVersionsInUse: await db.$count(policyAttachments, eq(policyAttachments.accountId, accountId)),
    rootAccessKeys: await db.$count(accessKeys, and(eq(accessKeys.accountId, accountId), isNull(accessKeys.userId))),
  };
}
