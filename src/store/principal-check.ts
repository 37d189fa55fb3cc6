/**
 * The IAM users and roles a trust policy's Principal names, across every account of the
 * deployment: by ARN when the policy is saved (a principal that names a user or role must name
 * one that exists, and IAM stores its unique id), and by unique id when the policy is shown (the
 * ARN of the principal that still has the id).
 */
import { and, inArray } from 'drizzle-orm';
import type { Db } from './db.js';
import { roles, users } from './schema.js';

/** A user or role as a principal ARN names it: its account, path and name, exactly. */
export interface EntityPrincipalRef {
  readonly type: 'user' | 'role';
  readonly accountId: string;
  readonly path: string;
  readonly name: string;
}

/** `arn:PARTITION:iam::ACCOUNT:user/PATH/NAME` (or role/…) → its parts; undefined for any other principal. */
const ENTITY_PRINCIPAL = /^arn:([^:]+):iam::(\d{12}):(user|role)(\/.*)$/;

/** The user or role an AWS principal ARN names, with the ARN's partition; undefined for any other principal. */
export function entityPrincipal(arn: string): (EntityPrincipalRef & { partition: string }) | undefined {
  const m = ENTITY_PRINCIPAL.exec(arn);
  if (!m) return undefined;
  const [, partition = '', accountId = '', type, rest = ''] = m;
  const cut = rest.lastIndexOf('/');
  return { partition, accountId, type: type === 'user' ? 'user' : 'role', path: rest.slice(0, cut + 1), name: rest.slice(cut + 1) };
}

/** One key per (type, account, path, name), compared exactly as the ARN is written. */
export function principalRefKey(ref: EntityPrincipalRef): string {
  return `${ref.type}\0${ref.accountId}\0${ref.path}\0${ref.name}`;
}

/**
 * The unique ids of the refs that exist, by principalRefKey. One query per entity type, whatever
 * the number of principals: candidates are fetched by account and lower-cased name (the unique
 * index), then compared exactly on path and name, because a policy names a principal by its
 * exact ARN and a case-variant ARN names none.
 */
export async function existingPrincipals(db: Db, refs: readonly EntityPrincipalRef[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const [type, table] of [['user', users], ['role', roles]] as const) {
    const wanted = refs.filter((r) => r.type === type);
    if (wanted.length === 0) continue;
    const accountIds = [...new Set(wanted.map((r) => r.accountId))];
    const namesLower = [...new Set(wanted.map((r) => r.name.toLowerCase()))];
    const rows = await db
      .select({ id: table.id, accountId: table.accountId, path: table.path, name: table.name })
      .from(table)
      .where(and(inArray(table.accountId, accountIds), inArray(table.nameLower, namesLower)));
    for (const { id, ...row } of rows) found.set(principalRefKey({ type, ...row }), id);
  }
  return found;
}

/** The users and roles that have these unique ids (in any account), by id. */
export async function principalsById(db: Db, ids: readonly string[]): Promise<Map<string, EntityPrincipalRef>> {
  const found = new Map<string, EntityPrincipalRef>();
  if (ids.length === 0) return found;
  const wanted = [...new Set(ids)];
  for (const [type, table] of [['user', users], ['role', roles]] as const) {
    const rows = await db
      .select({ id: table.id, accountId: table.accountId, path: table.path, name: table.name })
      .from(table)
      .where(inArray(table.id, wanted));
    for (const { id, ...row } of rows) found.set(id, { type, ...row });
  }
  return found;
}
