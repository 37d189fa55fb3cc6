/**
 * The database schema, one block per aggregate. drizzle-kit generates `migrations/` from this
 * file (`npm run db:generate`); migrations are append-only once committed.
 *
 * Ids are AWS-style unique ids (`AIDA…`, `AROA…`, `AGPA…`, `ANPA…`, `AKIA…`), globally unique by
 * construction (prefix + 17 random base32 characters), so tables that hang off "an entity" (tags,
 * inline policies, attachments) key on the owner's id alone. Names are unique per account
 * case-insensitively, as IAM's are: `name_lower` carries the unique index.
 */
import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, type AnyPgColumn } from 'drizzle-orm/pg-core';

/* Shared columns: functions, so that each table gets its own builders ---------------------- */

/** Every timestamp is `timestamp with time zone`, read as a Date. */
const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

const createdAt = () => timestamptz('created_at').notNull();

/** The row's unique id (an AWS-style id, an account number, an access key id, an event id). */
const id = () => text('id').primaryKey();

/** The account a row belongs to. */
const accountId = () => text('account_id').notNull().references(() => accounts.id);

/** IAM's naming: the name as given, its lower-cased form (unique per account) and the path. */
const named = () => ({
  name: text('name').notNull(),
  nameLower: text('name_lower').notNull(),
  path: text('path').notNull(),
});

/** What every user, group and role starts with. */
const entity = () => ({ id: id(), accountId: accountId(), ...named(), createdAt: createdAt() });

/** Names are unique per account case-insensitively, as IAM's are. */
const uniqueName = (table: string, t: { accountId: AnyPgColumn; nameLower: AnyPgColumn }) =>
  uniqueIndex(`${table}_account_name`).on(t.accountId, t.nameLower);

/** The managed policy a user or role has as permissions boundary, if any. */
const boundaryPolicyId = () => text('boundary_policy_id').references(() => managedPolicies.id);

/** The user, group or role (or managed policy, for tags) a row hangs off, by its unique id. */
const ownerId = () => text('owner_id').notNull();

/** Inline policies and attachments: the owner, its account and which kind of entity it is. */
const ownedBy = () => ({
  ownerId: ownerId(),
  accountId: accountId(),
  ownerType: text('owner_type', { enum: ['user', 'group', 'role'] }).notNull(),
});

/* Accounts ----------------------------------------------------------------------------------- */

export const accounts = pgTable('accounts', {
  id: id(),
  alias: text('alias'),
  createdAt: createdAt(),
}, (t) => [check('accounts_id_12_digits', sql`${t.id} ~ '^[0-9]{12}$'`)]);

/* Users, groups and membership --------------------------------------------------------------- */

export const users = pgTable('users', {
  ...entity(),
  boundaryPolicyId: boundaryPolicyId(),
}, (t) => [uniqueName('users', t)]);

export const groups = pgTable('groups', entity(), (t) => [uniqueName('groups', t)]);

export const groupMembers = pgTable('group_members', {
  groupId: text('group_id').notNull().references(() => groups.id),
  userId: text('user_id').notNull().references(() => users.id),
  /** Kept for ListGroupsForUser / GetGroup order (AWS lists in insertion order per entity). */
  addedAt: timestamptz('added_at').notNull(),
}, (t) => [primaryKey({ columns: [t.groupId, t.userId] }), index('group_members_user').on(t.userId)]);

/* Roles ------------------------------------------------------------------------------------- */

export const roles = pgTable('roles', {
  ...entity(),
  /**
   * The trust policy as IAM stores it: as the caller sent it (validated by the engine), with each
   * IAM user or role among its AWS principals replaced by that principal's unique id
   * (src/iam/trust-principals.ts).
   */
  trustPolicy: text('trust_policy').notNull(),
  /**
   * True once trust_policy names users and roles by unique id. Roles saved before ids were stored
   * are false until the one-time conversion at migration (convertLegacyTrustPolicies in
   * src/store/roles.ts) runs.
   */
  trustPrincipalIds: boolean('trust_principal_ids').notNull().default(true),
  description: text('description'),
  maxSessionDuration: integer('max_session_duration').notNull(),
  boundaryPolicyId: boundaryPolicyId(),
  lastUsedAt: timestamptz('last_used_at'),
  lastUsedRegion: text('last_used_region'),
}, (t) => [
  uniqueName('roles', t),
  check('roles_max_session_duration', sql`${t.maxSessionDuration} between 3600 and 43200`),
]);

/* Managed policies and their versions ------------------------------------------------------- */

/**
 * Customer managed policies belong to an account; AWS managed policies (`arn:aws:iam::aws:policy/…`)
 * belong to none: their `account_id` is null. They are loaded from aws-managed/ at migrate
 * time (store/policies/aws-managed.ts), keep AWS's own PolicyId and version ids, and are attached
 * like any other policy (the attachment row carries the attaching entity's account).
 */
export const managedPolicies = pgTable('managed_policies', {
  id: id(),
  /** null for an AWS managed policy. */
  accountId: text('account_id').references(() => accounts.id),
  ...named(),
  arn: text('arn').notNull(),
  description: text('description'),
  /** `v1`, `v2`, …: the version that is in force. */
  defaultVersionId: text('default_version_id').notNull(),
  /** The number the next CreatePolicyVersion uses (AWS never reuses a version number). */
  nextVersion: integer('next_version').notNull(),
  createdAt: createdAt(),
  updatedAt: timestamptz('updated_at').notNull(),
}, (t) => [
  uniqueName('managed_policies', t),
  uniqueIndex('managed_policies_arn').on(t.arn),
  check('managed_policies_aws_owned', sql`(${t.accountId} is null) = (${t.arn} like 'arn:aws:iam::aws:policy/%')`),
]);

export const policyVersions = pgTable('policy_versions', {
  policyId: text('policy_id').notNull().references(() => managedPolicies.id, { onDelete: 'cascade' }),
  versionId: text('version_id').notNull(),
  document: text('document').notNull(),
  createdAt: createdAt(),
}, (t) => [primaryKey({ columns: [t.policyId, t.versionId] })]);

/* Inline policies and managed-policy attachments, for users, groups and roles --------------- */

export const inlinePolicies = pgTable('inline_policies', {
  ...ownedBy(),
  name: text('name').notNull(),
  document: text('document').notNull(),
}, (t) => [primaryKey({ columns: [t.ownerId, t.name] })]);

export const policyAttachments = pgTable('policy_attachments', {
  ...ownedBy(),
  policyId: text('policy_id').notNull().references(() => managedPolicies.id),
  attachedAt: timestamptz('attached_at').notNull(),
}, (t) => [primaryKey({ columns: [t.ownerId, t.policyId] }), index('policy_attachments_policy').on(t.policyId)]);

/* Access keys (a null user is the account's root) ------------------------------------------- */

// Ids made since issue 11 carry their account (src/iam/ids.ts): distinct across accounts by
// construction, and within one by 39 random bits. Older ids are 16 random characters.

export const accessKeys = pgTable('access_keys', {
  id: id(),
  accountId: accountId(),
  userId: text('user_id').references(() => users.id),
  status: text('status', { enum: ['Active', 'Inactive'] }).notNull(),
  /** The secret, sealed by the keyring (AEAD) with associated data `access-key:ID`. Never plaintext. */
  secretSealed: text('secret_sealed').notNull(),
  createdAt: createdAt(),
  lastUsedAt: timestamptz('last_used_at'),
  lastUsedService: text('last_used_service'),
  lastUsedRegion: text('last_used_region'),
  /**
   * When the key was last made Inactive (null: never). Sessions carry the value their chain's key
   * had when they were issued; one that no longer matches was issued before a deactivation and
   * stays refused after the key is reactivated (src/auth/authenticate.ts). Strictly increasing.
   */
  deactivatedAt: timestamptz('deactivated_at'),
}, (t) => [index('access_keys_user').on(t.userId)]);

/* OpenID Connect identity providers (AssumeRoleWithWebIdentity) ---------------------------- */

/**
 * An account's OpenID Connect providers. `url` is the provider's URL as IAM shows it and names it
 * in the ARN (`arn:aws:iam::ACCOUNT:oidc-provider/URL`): host, port when there is one, and path,
 * without the scheme. `issuer` is the exact `iss` a token from it carries (the URL with its
 * scheme), which is how AssumeRoleWithWebIdentity finds the provider. The id is the ARN: tags hang
 * off it (`tags.owner_id`).
 */
export const oidcProviders = pgTable('oidc_providers', {
  id: id(),
  accountId: accountId(),
  url: text('url').notNull(),
  issuer: text('issuer').notNull(),
  /** ClientIDList: the audiences accepted (`aud`, or `azp`), at most 100 of up to 255 characters. */
  clientIds: text('client_ids').array().notNull(),
  /** ThumbprintList: hex SHA-1 of a certificate of the JWKS host, used only when its TLS chain does not validate. */
  thumbprints: text('thumbprints').array().notNull(),
  createdAt: createdAt(),
}, (t) => [uniqueIndex('oidc_providers_account_url').on(t.accountId, t.url), uniqueIndex('oidc_providers_account_issuer').on(t.accountId, t.issuer)]);

/* SAML identity providers (AssumeRoleWithSAML) ------------------------------------------------- */

/**
 * An account's SAML providers, named in the ARN (`arn:aws:iam::ACCOUNT:saml-provider/NAME`), which
 * is the id (tags hang off it). The metadata document is kept as given (GetSAMLProvider returns it);
 * what AssumeRoleWithSAML needs from it is kept beside it, parsed once: the IdP's entity id (every
 * Issuer must equal it) and its signing certificates (base64 DER, at most 10; any verifies).
 */
export const samlProviders = pgTable('saml_providers', {
  id: id(),
  accountId: accountId(),
  name: text('name').notNull(),
  /** SAMLProviderUUID, made at creation. */
  uuid: text('uuid').notNull(),
  metadata: text('metadata').notNull(),
  entityId: text('entity_id').notNull(),
  certificates: text('certificates').array().notNull(),
  /** The metadata's validUntil; none when it has none. */
  validUntil: timestamptz('valid_until'),
  createdAt: createdAt(),
}, (t) => [uniqueIndex('saml_providers_account_name').on(t.accountId, t.name)]);

/* Tags on users, roles and managed policies ------------------------------------------------- */

export const tags = pgTable('tags', {
  ownerId: ownerId(),
  /** IAM tag keys are unique per entity case-insensitively; the key keeps the case it was given. */
  keyLower: text('key_lower').notNull(),
  key: text('key').notNull(),
  value: text('value').notNull(),
}, (t) => [primaryKey({ columns: [t.ownerId, t.keyLower] })]);

/* Revoked sessions (one session ended before its expiry by an operator) ---------------------- */

export const revokedSessions = pgTable('revoked_sessions', {
  /** The session token's `jti`. */
  jti: text('jti').primaryKey(),
  accountId: accountId(),
  /** The session's own expiry: the row can be dropped after it. */
  expiresAt: timestamptz('expires_at').notNull(),
  revokedAt: timestamptz('revoked_at').notNull(),
}, (t) => [index('revoked_sessions_account').on(t.accountId, t.expiresAt)]);

/* Audit trail: append-only, written in the transaction of what it records -------------------- */

export const auditEvents = pgTable('audit_events', {
  id: id(),
  at: timestamptz('at').notNull(),
  /** The caller's account (the account whose trail this is). */
  accountId: text('account_id').notNull(),
  requestId: text('request_id').notNull(),
  /** `iam:CreateUser`, `sts:AssumeRole`, … */
  action: text('action').notNull(),
  principalArn: text('principal_arn'),
  accessKeyId: text('access_key_id'),
  sourceIp: text('source_ip'),
  userAgent: text('user_agent'),
  /** allow (a mutation or issuance that happened) or deny (a refused call). */
  decision: text('decision', { enum: ['allow', 'deny'] }).notNull(),
  errorCode: text('error_code'),
  sourceIdentity: text('source_identity'),
  resource: text('resource'),
  /** Action-specific facts (never secrets): the issued key id, the role session name, … */
  details: text('details'),
}, (t) => [index('audit_events_account_at').on(t.accountId, t.at)]);
