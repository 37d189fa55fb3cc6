/**
 * AWS managed policies (`arn:aws:iam::aws:policy/…`), kept in step with the data file
 * aws-managed/policies.json. They are rows of `managed_policies` with no account (the
 * schema's check ties a null account to an `arn:aws:iam::aws:policy/` ARN) and one version, the
 * default AWS publishes. The file is loaded at every migrate, idempotently: a policy missing from
 * the database is inserted, one whose default version is newer in the file gets the new version
 * (its old one removed); an older version in the file changes nothing, so a node of an older
 * release that starts during a rolling upgrade cannot roll a policy back (AWS's versions only
 * move forward); a policy dropped from the file stays, so the entities it is attached to keep it,
 * as AWS keeps deprecated policies for those that already use them.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { and, eq, isNull, lte, ne, sql } from 'drizzle-orm';
import { awsManagedPolicyArn } from '../../arn.js';
import type { Db } from '../db.js';
import { managedPolicies, policyVersions } from '../schema.js';

/** Beside migrations/ at the top of the package, so src/store/policies and dist/store/policies find it alike. */
export const AWS_MANAGED_POLICIES_FILE = fileURLToPath(new URL('../../../aws-managed/policies.json', import.meta.url));

export interface AwsManagedPolicy {
  readonly name: string;
  /** AWS's own PolicyId (ANPA…). */
  readonly policyId: string;
  /** `/`, `/job-function/`, `/service-role/`. */
  readonly path: string;
  /** The default version's id as AWS numbers it (`v1`, `v128`). */
  readonly versionId: string;
  readonly createDate: Date;
  /** When the default version was published (the policy's UpdateDate). */
  readonly updateDate: Date;
  /** The default version's document, as compact JSON. */
  readonly document: string;
}

function fail(what: string): never {
  throw new Error(`${AWS_MANAGED_POLICIES_FILE}: ${what}`);
}

function str(entry: Record<string, unknown>, key: string, pattern: RegExp): string {
  const v = entry[key];
  if (typeof v !== 'string' || !pattern.test(v)) fail(`${String(entry['name'])}: ${key} is not valid`);
  return v;
}

/** The data file, checked entry by entry (a broken file stops the migrate, loudly). */
export function parseAwsManagedPolicies(text: string): AwsManagedPolicy[] {
  const data: unknown = JSON.parse(text);
  const list = (data as { policies?: unknown } | null)?.policies;
  if (!Array.isArray(list)) fail('no "policies" list');
  return list.map((raw: unknown) => {
    if (typeof raw !== 'object' || raw === null) fail('an entry is not an object');
    const e = raw as Record<string, unknown>;
    const date = (key: string) => {
      const d = new Date(str(e, key, /^\d{4}-\d\d-\d\dT/));
      if (Number.isNaN(d.getTime())) fail(`${String(e['name'])}: ${key} is not a date`);
      return d;
    };
    if (typeof e['document'] !== 'object' || e['document'] === null) fail(`${String(e['name'])}: no document`);
    return {
      name: str(e, 'name', /^[\w+=,.@-]{1,128}$/),
      policyId: str(e, 'policyId', /^ANPA[A-Z0-9]{17}$/),
      path: str(e, 'path', /^\/(?:[\w+=,.@-]+\/)*$/),
      versionId: str(e, 'versionId', /^v[1-9][0-9]*$/),
      createDate: date('createDate'),
      updateDate: date('updateDate'),
      document: JSON.stringify(e['document']),
    };
  });
}

export async function loadAwsManagedPolicies(file: string = AWS_MANAGED_POLICIES_FILE): Promise<AwsManagedPolicy[]> {
  return parseAwsManagedPolicies(await readFile(file, 'utf8'));
}

/** `v128` → 128. */
function versionNumber(versionId: string): number {
  return Number(versionId.slice(1));
}

/**
 * Bring the database's AWS managed policies in step with `policies`; returns how many policies
 * it found older than `policies` (or missing). Safe to run concurrently on several nodes, of one
 * release or of two: inserts ignore conflicts, and a version only ever moves forward, decided in
 * the UPDATE itself.
 */
export async function syncAwsManagedPolicies(db: Db, policies: readonly AwsManagedPolicy[]): Promise<number> {
  const existing = new Map(
    (await db
      .select({ id: managedPolicies.id, defaultVersionId: managedPolicies.defaultVersionId })
      .from(managedPolicies)
      .where(isNull(managedPolicies.accountId))).map((r) => [r.id, r.defaultVersionId]),
  );
  let changed = 0;
  for (const p of policies) {
    const current = existing.get(p.policyId);
    const number = versionNumber(p.versionId);
    if (current !== undefined && versionNumber(current) >= number) continue;
    const nextVersion = number + 1;
    await db.transaction(async (tx) => {
      if (current === undefined) {
        await tx
          .insert(managedPolicies)
          .values({
            id: p.policyId,
            accountId: null,
            name: p.name,
            nameLower: p.name.toLowerCase(),
            path: p.path,
            arn: awsManagedPolicyArn(p),
            description: null,
            defaultVersionId: p.versionId,
            nextVersion,
            createdAt: p.createDate,
            updatedAt: p.updateDate,
          })
          .onConflictDoNothing();
      }
      await tx
        .insert(policyVersions)
        .values({ policyId: p.policyId, versionId: p.versionId, document: p.document, createdAt: p.updateDate })
        .onConflictDoNothing();
      // Only forward, decided by the row itself and not by the read above: a node of an older
      // release migrating at the same time must not put its version back (nextVersion is the
      // default version's number + 1, so this holds exactly when the stored version is older).
      await tx
        .update(managedPolicies)
        .set({ defaultVersionId: p.versionId, nextVersion, updatedAt: p.updateDate })
        .where(and(eq(managedPolicies.id, p.policyId), lte(managedPolicies.nextVersion, number)));
      // Every version but the one now default, whichever node's that is (ours, or a newer one's).
      await tx
        .delete(policyVersions)
        .where(
          and(
            eq(policyVersions.policyId, p.policyId),
            ne(policyVersions.versionId, sql`(select ${managedPolicies.defaultVersionId} from ${managedPolicies} where ${managedPolicies.id} = ${p.policyId})`),
          ),
        );
    });
    changed++;
  }
  return changed;
}
