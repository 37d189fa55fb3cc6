/** Finding a managed policy by ARN (used by boundaries, attachments and simulation). */
import { eq } from 'drizzle-orm';
import type { Db } from './db.js';
import { managedPolicies } from './schema.js';

export interface PolicyRef {
  readonly id: string;
  readonly arn: string;
  /** null for an AWS managed policy. */
  readonly accountId: string | null;
}

export async function findPolicyByArn(db: Db, arn: string): Promise<PolicyRef | undefined> {
  const [row] = await db
    .select({ id: managedPolicies.id, arn: managedPolicies.arn, accountId: managedPolicies.accountId })
    .from(managedPolicies)
    .where(eq(managedPolicies.arn, arn));
  return row;
}
