/**
 * The counts GetAccountSummary reports that are no entity kind's own (each kind counts itself:
 * src/iam/entities.ts, SummaryLine).
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from './db.js';
import { accessKeys, policyAttachments } from './schema.js';

export interface AccountUsage {
  /** Attachments of managed policies to users, groups and roles (each attaches the default version). */
  readonly policyVersionsInUse: number;
  readonly rootAccessKeys: number;
}

export async function accountUsage(db: Db, accountId: string): Promise<AccountUsage> {
  return {
    policyVersionsInUse: await db.$count(policyAttachments, eq(policyAttachments.accountId, accountId)),
    rootAccessKeys: await db.$count(accessKeys, and(eq(accessKeys.accountId, accountId), isNull(accessKeys.userId))),
  };
}
