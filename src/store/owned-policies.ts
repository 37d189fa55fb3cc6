/**
 * What policies an IAM user, group or role still owns: IAM refuses to delete an entity that has
 * inline policies or attached managed policies (DeleteConflict), so deletions ask here first.
 */
import { eq } from 'drizzle-orm';
import type { Db } from './db.js';
import { inlinePolicies, policyAttachments } from './schema.js';

export interface OwnedPolicies {
  readonly inline: number;
  readonly attached: number;
}

export async function ownedPolicies(db: Db, ownerId: string): Promise<OwnedPolicies> {
  return {
    inline: await db.$count(inlinePolicies, eq(inlinePolicies.ownerId, ownerId)),
    attached: await db.$count(policyAttachments, eq(policyAttachments.ownerId, ownerId)),
  };
}
