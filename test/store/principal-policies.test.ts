/**
 * userPolicies / rolePolicies: every document that governs a principal, read in one place for
 * authorization and simulation. Rows are seeded with drizzle so the case does not depend on the
 * IAM operations that normally write them.
 */
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, test } from 'vitest';
import { newUniqueId } from '../../src/iam/ids.js';
import { insertAccount } from '../../src/store/accounts.js';
import type { Store } from '../../src/store/db.js';
import { rolePolicies, userPolicies, type PolicyText } from '../../src/store/policies/principal.js';
import { groupMembers, groups, inlinePolicies, managedPolicies, policyAttachments, policyVersions, roles, tags, users } from '../../src/store/schema.js';
import { backend, useTestStore } from '../helpers/store.js';

const ACCOUNT = '210000000001';
const OTHER = '210000000002';
const now = new Date('2026-03-01T12:00:00Z');

let store: Store;

/** A distinct, recognisable document per policy. */
const doc = (sid: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: sid, Effect: 'Allow', Action: 'iam:Get*', Resource: '*' }] });

const ids = {
  alice: newUniqueId('user'),
  bob: newUniqueId('user'),
  admins: newUniqueId('group'),
  empty: newUniqueId('group'),
  deployer: newUniqueId('role'),
  forGroup: newUniqueId('policy'),
  forBoth: newUniqueId('policy'),
  forRole: newUniqueId('policy'),
  boundary: newUniqueId('policy'),
  unattached: newUniqueId('policy'),
};
const arn = (name: string) => `arn:aws:iam::${ACCOUNT}:policy/${name}`;

async function managed(id: string, name: string, versions: Record<string, string>, defaultVersionId: string): Promise<void> {
  await store.db.insert(managedPolicies).values({
    id,
    accountId: ACCOUNT,
    name,
    nameLower: name.toLowerCase(),
    path: '/',
    arn: arn(name),
    description: null,
    defaultVersionId,
    nextVersion: Object.keys(versions).length + 1,
    createdAt: now,
    updatedAt: now,
  });
  for (const [versionId, document] of Object.entries(versions)) await store.db.insert(policyVersions).values({ policyId: id, versionId, document, createdAt: now });
}

useTestStore((s) => {
  store = s;
});

beforeAll(async () => {
  for (const id of [ACCOUNT, OTHER]) await insertAccount(store.db, { id, alias: null, createdAt: now });

  await managed(ids.forGroup, 'ForGroup', { v1: doc('GroupManaged') }, 'v1');
  // Only the default version governs: v1 and v3 exist but are not in force.
  await managed(ids.forBoth, 'ForBoth', { v1: doc('BothOld'), v2: doc('BothDefault'), v3: doc('BothNewer') }, 'v2');
  await managed(ids.forRole, 'ForRole', { v1: doc('RoleManaged') }, 'v1');
  await managed(ids.boundary, 'Boundary', { v1: doc('BoundaryOld'), v2: doc('BoundaryDefault') }, 'v2');
  await managed(ids.unattached, 'Unattached', { v1: doc('Unattached') }, 'v1');

  const user = (id: string, name: string, boundaryPolicyId: string | null) => ({ id, accountId: ACCOUNT, name, nameLower: name.toLowerCase(), path: '/eng/', createdAt: now, boundaryPolicyId });
  await store.db.insert(users).values([user(ids.alice, 'Alice', ids.boundary), user(ids.bob, 'Bob', null)]);
  const group = (id: string, name: string) => ({ id, accountId: ACCOUNT, name, nameLower: name.toLowerCase(), path: '/', createdAt: now });
  await store.db.insert(groups).values([group(ids.admins, 'Admins'), group(ids.empty, 'Empty')]);
  await store.db.insert(groupMembers).values([
    { groupId: ids.admins, userId: ids.alice, addedAt: now },
    { groupId: ids.empty, userId: ids.alice, addedAt: now },
  ]);
  await store.db.insert(roles).values({
    id: ids.deployer,
    accountId: ACCOUNT,
    name: 'Deployer',
    nameLower: 'deployer',
    path: '/',
    createdAt: now,
    trustPolicy: doc('Trust'),
    description: null,
    maxSessionDuration: 3600,
    boundaryPolicyId: ids.boundary,
  });

  const inline = (ownerId: string, ownerType: 'user' | 'group' | 'role', name: string) => ({ ownerId, accountId: ACCOUNT, ownerType, name, document: doc(`Inline-${name}`) });
  await store.db.insert(inlinePolicies).values([
    inline(ids.alice, 'user', 'alice-own'),
    inline(ids.admins, 'group', 'admins-inline'),
    inline(ids.bob, 'user', 'bob-own'),
    inline(ids.deployer, 'role', 'deploy'),
  ]);
  const attach = (ownerId: string, ownerType: 'user' | 'group' | 'role', policyId: string) => ({ ownerId, accountId: ACCOUNT, ownerType, policyId, attachedAt: now });
  await store.db.insert(policyAttachments).values([
    attach(ids.alice, 'user', ids.forBoth),
    attach(ids.admins, 'group', ids.forGroup),
    // Attached to the user and to one of its groups: it governs once.
    attach(ids.admins, 'group', ids.forBoth),
    attach(ids.deployer, 'role', ids.forRole),
  ]);
  await store.db.insert(tags).values([
    { ownerId: ids.alice, keyLower: 'team', key: 'Team', value: 'core' },
    { ownerId: ids.deployer, keyLower: 'env', key: 'env', value: 'prod' },
  ]);
});
const byId = (list: readonly PolicyText[]) => [...list].sort((a, b) => a.id.localeCompare(b.id));

describe(`principal policies (${backend})`, () => {
  test("a user's inline, group inline, and attached managed policies (default versions), its boundary and tags", async () => {
    const got = await userPolicies(store.db, ids.alice);
    expect(byId(got?.identity ?? [])).toEqual(
      byId([
        { id: 'user/Alice/alice-own', document: doc('Inline-alice-own') },
        { id: 'group/Admins/admins-inline', document: doc('Inline-admins-inline') },
        { id: arn('ForGroup'), document: doc('GroupManaged') },
        { id: arn('ForBoth'), document: doc('BothDefault') },
      ]),
    );
    expect(got?.boundary).toEqual({ id: arn('Boundary'), document: doc('BoundaryDefault') });
    expect(got?.tags).toEqual({ Team: 'core' });
  });

  test("another user's policies and unattached policies are not included; no boundary is undefined", async () => {
    const got = await userPolicies(store.db, ids.bob);
    expect(got).toEqual({ identity: [{ id: 'user/Bob/bob-own', document: doc('Inline-bob-own') }], boundary: undefined, tags: {} });
  });

  test("a role's inline and attached managed policies, its boundary and tags", async () => {
    const got = await rolePolicies(store.db, ids.deployer);
    expect(byId(got?.identity ?? [])).toEqual(
      byId([
        { id: 'role/Deployer/deploy', document: doc('Inline-deploy') },
        { id: arn('ForRole'), document: doc('RoleManaged') },
      ]),
    );
    expect(got?.boundary).toEqual({ id: arn('Boundary'), document: doc('BoundaryDefault') });
    expect(got?.tags).toEqual({ env: 'prod' });
  });

  test('a changed default version is what governs from then on', async () => {
    await store.db.update(managedPolicies).set({ defaultVersionId: 'v3' }).where(eq(managedPolicies.id, ids.forBoth));
    const got = await userPolicies(store.db, ids.alice);
    expect(got?.identity.find((p) => p.id === arn('ForBoth'))?.document).toBe(doc('BothNewer'));
    await store.db.update(managedPolicies).set({ defaultVersionId: 'v2' }).where(eq(managedPolicies.id, ids.forBoth));
  });

  test('unknown principals are undefined, and a user id is not a role id', async () => {
    expect(await userPolicies(store.db, newUniqueId('user'))).toBeUndefined();
    expect(await rolePolicies(store.db, newUniqueId('role'))).toBeUndefined();
    expect(await rolePolicies(store.db, ids.alice)).toBeUndefined();
    expect(await userPolicies(store.db, ids.deployer)).toBeUndefined();
  });
});
