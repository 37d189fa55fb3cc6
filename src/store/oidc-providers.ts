/**
 * IAM OpenID Connect providers: what the IAM operations manage, and how AssumeRoleWithWebIdentity
 * finds the provider of a token (by its account and the token's exact `iss`).
 */
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from './db.js';
import { countInAccount } from './accounts.js';
import { oidcProviders, tags } from './schema.js';

export interface OidcProviderRow {
  /** The provider's ARN (also its id: tags hang off it). */
  readonly arn: string;
  readonly accountId: string;
  /** As IAM shows it: host[:port]/path, no scheme. */
  readonly url: string;
  /** The exact `iss` of its tokens. */
  readonly issuer: string;
  readonly clientIds: readonly string[];
  readonly thumbprints: readonly string[];
  readonly createdAt: Date;
}

const columns = {
  arn: oidcProviders.id,
  accountId: oidcProviders.accountId,
  url: oidcProviders.url,
  issuer: oidcProviders.issuer,
  clientIds: oidcProviders.clientIds,
  thumbprints: oidcProviders.thumbprints,
  createdAt: oidcProviders.createdAt,
};

/** False when the account already has a provider for this URL (or issuer). */
export async function insertOidcProvider(db: Db, row: OidcProviderRow): Promise<boolean> {
  const inserted = await db
    .insert(oidcProviders)
    .values({ id: row.arn, accountId: row.accountId, url: row.url, issuer: row.issuer, clientIds: [...row.clientIds], thumbprints: [...row.thumbprints], createdAt: row.createdAt })
    .onConflictDoNothing()
    .returning({ id: oidcProviders.id });
  return inserted.length > 0;
}

export async function findOidcProvider(db: Db, accountId: string, arn: string): Promise<OidcProviderRow | undefined> {
  const [row] = await db.select(columns).from(oidcProviders).where(and(eq(oidcProviders.accountId, accountId), eq(oidcProviders.id, arn)));
  return row;
}

/** The provider whose tokens carry exactly this `iss`, in this account (AssumeRoleWithWebIdentity). */
export async function findOidcProviderByIssuer(db: Db, accountId: string, issuer: string): Promise<OidcProviderRow | undefined> {
  const [row] = await db.select(columns).from(oidcProviders).where(and(eq(oidcProviders.accountId, accountId), eq(oidcProviders.issuer, issuer)));
  return row;
}

/** Which of these provider ARNs exist, in whichever account each names (trust policies naming them as `Federated`). */
export async function existingOidcProviders(db: Db, arns: readonly string[]): Promise<Set<string>> {
  if (arns.length === 0) return new Set();
  const rows = await db.select({ arn: oidcProviders.id }).from(oidcProviders).where(inArray(oidcProviders.id, [...new Set(arns)]));
  return new Set(rows.map((r) => r.arn));
}

export async function listOidcProviders(db: Db, accountId: string): Promise<OidcProviderRow[]> {
  return db.select(columns).from(oidcProviders).where(eq(oidcProviders.accountId, accountId)).orderBy(asc(oidcProviders.id));
}

/** Row locked for the rest of the transaction (client id and thumbprint changes read, then write). */
export async function lockOidcProvider(db: Db, accountId: string, arn: string): Promise<OidcProviderRow | undefined> {
  const [row] = await db.select(columns).from(oidcProviders).where(and(eq(oidcProviders.accountId, accountId), eq(oidcProviders.id, arn))).for('update');
  return row;
}

export async function updateOidcProvider(db: Db, arn: string, changes: { readonly clientIds?: readonly string[]; readonly thumbprints?: readonly string[] }): Promise<void> {
  const set: { clientIds?: string[]; thumbprints?: string[] } = {};
  if (changes.clientIds) set.clientIds = [...changes.clientIds];
  if (changes.thumbprints) set.thumbprints = [...changes.thumbprints];
  if (Object.keys(set).length > 0) await db.update(oidcProviders).set(set).where(eq(oidcProviders.id, arn));
}

/** The provider and its tags. */
export async function deleteOidcProvider(db: Db, arn: string): Promise<void> {
  await db.delete(tags).where(eq(tags.ownerId, arn));
  await db.delete(oidcProviders).where(eq(oidcProviders.id, arn));
}

export async function countOidcProviders(db: Db, accountId: string): Promise<number> {
  return countInAccount(db, oidcProviders, accountId);
}
