/**
 * IAM SAML providers: what the IAM operations manage, and what AssumeRoleWithSAML reads (the
 * provider named by the request's PrincipalArn: its entity id, signing certificates, assertion
 * encryption mode and its private keys, still sealed).
 */
import { and, asc, count, eq, inArray } from 'drizzle-orm';
import type { Db } from './db.js';
import { countInAccount } from './accounts.js';
import { samlProviderKeys, samlProviders, tags } from './schema.js';

/** AssertionEncryptionMode as stored: none when it was never set (plaintext only, or either once keys exist). */
export type AssertionEncryptionMode = 'Required' | 'Allowed' | null;

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
  readonly assertionEncryptionMode: AssertionEncryptionMode;
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
  assertionEncryptionMode: samlProviders.assertionEncryptionMode,
  createdAt: samlProviders.createdAt,
};

/** False when the account already has a provider of this name. */
export async function insertSamlProvider(db: Db, row: SamlProviderRow): Promise<boolean> {
  const inserted = await db
    .insert(samlProviders)
    .values({ id: row.arn, accountId: row.accountId, name: row.name, uuid: row.uuid, metadata: row.metadata, entityId: row.entityId, certificates: [...row.certificates], validUntil: row.validUntil, assertionEncryptionMode: row.assertionEncryptionMode, createdAt: row.createdAt })
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

export async function updateSamlProviderEncryptionMode(db: Db, arn: string, mode: 'Required' | 'Allowed'): Promise<boolean> {
  const updated = await db.update(samlProviders).set({ assertionEncryptionMode: mode }).where(eq(samlProviders.id, arn)).returning({ id: samlProviders.id });
  return updated.length > 0;
}

/** The provider, its private keys and its tags. */
export async function deleteSamlProvider(db: Db, arn: string): Promise<void> {
  await db.delete(tags).where(eq(tags.ownerId, arn));
  await db.delete(samlProviderKeys).where(eq(samlProviderKeys.providerId, arn));
  await db.delete(samlProviders).where(eq(samlProviders.id, arn));
}

/* Private keys (encrypted assertions) ---------------------------------------------------------- */

/** A private key as kept: sealed by the keyring with `samlKeyAad(provider, keyId)`. */
export interface SamlProviderKeyRow {
  readonly keyId: string;
  readonly keySealed: string;
  readonly createdAt: Date;
}

export async function insertSamlProviderKey(db: Db, providerArn: string, key: SamlProviderKeyRow): Promise<void> {
  await db.insert(samlProviderKeys).values({ providerId: providerArn, keyId: key.keyId, keySealed: key.keySealed, createdAt: key.createdAt });
}

/** False when the provider has no key of that id. */
export async function deleteSamlProviderKey(db: Db, providerArn: string, keyId: string): Promise<boolean> {
  const deleted = await db
    .delete(samlProviderKeys)
    .where(and(eq(samlProviderKeys.providerId, providerArn), eq(samlProviderKeys.keyId, keyId)))
    .returning({ keyId: samlProviderKeys.keyId });
  return deleted.length > 0;
}

/** Oldest first. */
export async function listSamlProviderKeys(db: Db, providerArn: string): Promise<SamlProviderKeyRow[]> {
  return db
    .select({ keyId: samlProviderKeys.keyId, keySealed: samlProviderKeys.keySealed, createdAt: samlProviderKeys.createdAt })
    .from(samlProviderKeys)
    .where(eq(samlProviderKeys.providerId, providerArn))
    .orderBy(asc(samlProviderKeys.createdAt), asc(samlProviderKeys.keyId));
}

export async function countSamlProviderKeys(db: Db, providerArn: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(samlProviderKeys).where(eq(samlProviderKeys.providerId, providerArn));
  return row?.n ?? 0;
}

/** A provider by its SAMLProviderUUID, in whichever account (its SP metadata URL names it so, as AWS's does). */
export async function findSamlProviderByUuid(db: Db, uuid: string): Promise<SamlProviderRow | undefined> {
  const [row] = await db.select(columns).from(samlProviders).where(eq(samlProviders.uuid, uuid));
  return row;
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
  readonly assertionEncryptionMode: AssertionEncryptionMode;
  /** The private keys for encrypted assertions, still sealed (opened only when an EncryptedAssertion arrives), oldest first. */
  readonly keys: readonly { readonly keyId: string; readonly sealed: string }[];
}

export async function findSamlTrust(db: Db, accountId: string, arn: string): Promise<SamlTrustRow | undefined> {
  const [provider] = await db
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
  if (!provider) return undefined;
  const keys = await listSamlProviderKeys(db, arn);
  return { ...provider, keys: keys.map((k) => ({ keyId: k.keyId, sealed: k.keySealed })) };
}
