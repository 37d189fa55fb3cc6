/**
 * Assertions already traded for credentials (saml_assertions_used): AssumeRoleWithSAML accepts an
 * assertion id once per provider, on every node. The primary key decides: of two calls racing with
 * the same assertion, on one node or two, exactly one insert succeeds. Rows are needed only until
 * the assertion would be refused as expired anyway.
 */
import { lte } from 'drizzle-orm';
import type { Db } from './db.js';
import { samlAssertionsUsed } from './schema.js';

/** True when this call is the first to use the assertion; false when it was used before. */
export async function useAssertionOnce(db: Db, providerArn: string, assertionId: string, expiresAt: Date): Promise<boolean> {
  const inserted = await db
    .insert(samlAssertionsUsed)
    .values({ providerId: providerArn, assertionId, expiresAt })
    .onConflictDoNothing()
    .returning({ id: samlAssertionsUsed.assertionId });
  return inserted.length > 0;
}

/** Drop rows of assertions that have expired anyway; returns how many. */
export async function pruneUsedAssertions(db: Db, now: Date): Promise<number> {
  const deleted = await db.delete(samlAssertionsUsed).where(lte(samlAssertionsUsed.expiresAt, now)).returning({ id: samlAssertionsUsed.assertionId });
  return deleted.length;
}
