/**
 * The one-time conversion of trust policies saved before IAM users and roles were stored by unique
 * id (migration trust_principal_ids marks them `trust_principal_ids = false`). Each user or role
 * ARN among a policy's AWS principals becomes the id of the principal that has that ARN now,
 * which is what IAM would have stored had the policy been saved today.
 *
 * An ARN that names no principal now (deleted before the upgrade) cannot get its real id back: it
 * becomes DELETED_PRINCIPAL_ID, an id no principal can have (our ids use AWS's alphabet, A-Z and
 * 2-7, never 0), so it matches no one, exactly as the deleted principal's id would, and a principal
 * recreated under that name is not trusted until the policy is saved again.
 *
 * It runs with the migrations, before the service serves (Store.migrate), and again on every start
 * until no role is left: idempotent, batch by batch, each role written only while still marked, so
 * nodes starting together do not step on each other or on a later UpdateAssumeRolePolicy.
 */
import { and, eq } from 'drizzle-orm';
import { mapAwsPrincipals, awsPrincipalValues } from '../policy/index.js';
import type { Db } from './db.js';
import { entityPrincipal, type EntityPrincipalRef } from '../arn.js';
import { existingPrincipals, principalRefKey } from './principal-check.js';
import { roles } from './schema.js';

/** What a user or role deleted before the conversion is named by: an id no principal has. */
export const DELETED_PRINCIPAL_ID = { user: `AIDA${'0'.repeat(17)}`, role: `AROA${'0'.repeat(17)}` } as const;

const BATCH = 200;

/** A user or role ARN that can name a principal of this deployment (as IAM's save-time check reads it). */
function lookable(arn: string): EntityPrincipalRef | undefined {
  const ref = entityPrincipal(arn);
  return ref && ref.partition === 'aws' && ref.name !== '' ? ref : undefined;
}

/** Convert every role still marked; returns how many were converted. */
export async function convertLegacyTrustPolicies(db: Db): Promise<number> {
  let converted = 0;
  for (;;) {
    const batch = await db
      .select({ id: roles.id, trustPolicy: roles.trustPolicy })
      .from(roles)
      .where(eq(roles.trustPrincipalIds, false))
      .limit(BATCH);
    if (batch.length === 0) return converted;
    const refs: EntityPrincipalRef[] = [];
    for (const row of batch) {
      for (const v of awsPrincipalValues(row.trustPolicy)) {
        const ref = lookable(v);
        if (ref) refs.push(ref);
      }
    }
    const ids = refs.length === 0 ? new Map<string, string>() : await existingPrincipals(db, refs);
    for (const row of batch) {
      const trustPolicy = mapAwsPrincipals(row.trustPolicy, (v) => {
        const ref = entityPrincipal(v);
        if (!ref) return undefined;
        const found = lookable(v) && ids.get(principalRefKey(ref));
        return found || DELETED_PRINCIPAL_ID[ref.type];
      });
      await db
        .update(roles)
        .set({ trustPolicy, trustPrincipalIds: true })
        .where(and(eq(roles.id, row.id), eq(roles.trustPrincipalIds, false)));
      converted++;
    }
  }
}
