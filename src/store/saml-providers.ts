/**
 * IAM SAML providers: what the IAM operations manage, and what AssumeRoleWithSAML reads (the
 * provider named by the request's PrincipalArn: its entity id and signing certificates).
 */
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from './db.js';
import { countInAccount } from './accounts.js';
import { samlProviders, tags } from './schema.js';

export interface SamlProviderRow {
  /** The provider's ARN (also its id: tags hang off it). */
  readonly arn: string;
  readonly accountId: string;
  readonly name: string;
  readonly uuid: string;
  /** The SAMLMetadataDocument as given. */
  readonly metadata: string;
  readonly entityId: string;
  /** Base64 DER signing certificates. */
  readonly certificates: readonly string[];
  readonly validUntil: Date | null;
  readonly createdAt: Date;
}

const columns = {
  arn: samlProviders.id,
  accountId: samlProviders.accountId,
  name: samlProviders.name,
  uuid: samlProviders.uuid,
  metadata: samlProviders.metadata,
  entityId: samlProviders.entityId,
  certificates: samlProviders.certificates,
  validUntil: samlProviders.validUntil,
  createdAt: samlProviders.createdAt,
};

/** False when the account already has a provider of this name. */
export async function insertSamlProvider(db: Db, row: SamlProviderRow): Promise<boolean> {
  const inserted = await db
    .insert(samlProviders)
    .values({ id: row.arn, accountId: row.accountId, name: row.name, uuid: row.uuid, metadata: row.metadata, entityId: row.entityId, certificates: [...row.certificates], validUntil: row.validUntil, createdAt: row.createdAt })
    .onConflictDoNothing()
    .returning({ id: samlProviders.id });
  return inserted.length > 0;
}

export async function findSamlProvider(db: Db, accountId: string, arn: string): Promise<SamlProviderRow | undefined> {
  const [row] = await db.select(columns).from(samlProviders).where(and(eq(samlProviders.accountId, accountId), eq(samlProviders.id, arn)));
  return row;
}

/** Which of these provider ARNs exist, in whichever account each names (trust policies naming them as `Federated`). */
export async function existingSamlProviders(db: Db, arns: readonly string[]): Promise<Set<string>> {
  if (arns.length === 0) return new Set();
  const rows = await db.select({ arn: samlProviders.id }).from(samlProviders).where(inArray(samlProviders.id, [...new Set(arns)]));
  return new Set(rows.map((r) => r.arn));
}

export async function listSamlProviders(db: Db, accountId: string): Promise<SamlProviderRow[]> {
  return db.select(columns).from(samlProviders).where(eq(samlProviders.accountId, accountId)).orderBy(asc(samlProviders.id));
}

/** New metadata and what was parsed from it. */
export async function updateSamlProviderMetadata(db: Db, arn: string, changes: { readonly metadata: string; readonly entityId: string; readonly certificates: readonly string[]; readonly validUntil: Date | null }): Promise<boolean> {
  const updated = await db
    .update(samlProviders)
    .set({ metadata: changes.metadata, entityId: changes.entityId, certificates: [...changes.certificates], validUntil: changes.validUntil })
    .where(eq(samlProviders.id, arn))
    .returning({ id: samlProviders.id });
  return updated.length > 0;
}

/** The provider and its tags. */
export async function deleteSamlProvider(db: Db, arn: string): Promise<void> {
  await db.delete(tags).where(eq(tags.ownerId, arn));
  await db.delete(samlProviders).where(eq(samlProviders.id, arn));
}

export async function countSamlProviders(db: Db, accountId: string): Promise<number> {
  return countInAccount(db, samlProviders, accountId);
}

/** What AssumeRoleWithSAML needs of a provider: never the metadata document itself (up to 10 MB), which a cache would otherwise hold. */
export interface SamlTrustRow {
  readonly arn: string;
  readonly accountId: string;
  readonly name: string;
  readonly entityId: string;
  readonly certificates: readonly string[];
  /** The metadata's validUntil: past it, the provider vouches for nobody. */
  readonly validUntil: Date | null;
  readonly assertionEncryptionMode: 'Required' | 'Allowed' | null;
}

export async function findSamlTrust(db: Db, accountId: string, arn: string): Promise<SamlTrustRow | undefined> {
  const [row] = await db
    .select({
      arn: samlProviders.id,
      accountId: samlProviders.accountId,
      name: samlProviders.name,
      entityId: samlProviders.entityId,
      certificates: samlProviders.certificates,
      validUntil: samlProviders.validUntil,
      assertionEncryptionMode: samlProviders.assertionEncryptionMode,
    })
    .from(samlProviders)
    .where(and(eq(samlProviders.accountId, accountId), eq(samlProviders.id, arn)));
  return row;
}
