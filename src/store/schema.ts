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
  /** The account alias (CreateAccountAlias; at most one), unique across the service: sign-in accepts it in place of the id. */
  alias: text('alias'),
  createdAt: createdAt(),
}, (t) => [check('accounts_id_12_digits', sql`${t.id} ~ '^[0-9]{12}$'`), uniqueIndex('accounts_alias').on(t.alias)]);

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
  /** AssertionEncryptionMode: Required (only encrypted assertions), Allowed (either), or none (never set: plaintext only). */
  assertionEncryptionMode: text('assertion_encryption_mode', { enum: ['Required', 'Allowed'] }),
  createdAt: createdAt(),
}, (t) => [
  uniqueIndex('saml_providers_account_name').on(t.accountId, t.name),
  // The per-provider SP metadata (/static/saml/UUID/saml-metadata.xml) is found by UUID, unsigned.
  uniqueIndex('saml_providers_uuid').on(t.uuid),
]);

/**
 * A SAML provider's private keys for encrypted assertions (at most two: add, then remove, to
 * rotate). The PEM is sealed by the keyring with associated data `saml-key:PROVIDER_ARN:KEY_ID`;
 * never plaintext. `created_at` is the key's Timestamp in GetSAMLProvider.
 */
export const samlProviderKeys = pgTable('saml_provider_keys', {
  providerId: text('provider_id').notNull().references(() => samlProviders.id),
  /** KeyId: 22..64 of [A-Z0-9]. */
  keyId: text('key_id').notNull(),
  keySealed: text('key_sealed').notNull(),
  createdAt: createdAt(),
}, (t) => [primaryKey({ columns: [t.providerId, t.keyId] })]);

/**
 * Assertion ids already traded (AssumeRoleWithSAML accepts an assertion once, on every node): a
 * conditional insert on the primary key decides which of two concurrent calls wins. A row is kept
 * until the assertion expires, and may be dropped after; it is not tied to the provider's row, so
 * deleting and re-creating a provider does not make a used assertion usable again.
 */
export const samlAssertionsUsed = pgTable('saml_assertions_used', {
  /** The provider's ARN. */
  providerId: text('provider_id').notNull(),
  /** The assertion's ID attribute. */
  assertionId: text('assertion_id').notNull(),
  /** When the assertion stops being acceptable anyway (its latest NotOnOrAfter, plus the skew). */
  expiresAt: timestamptz('expires_at').notNull(),
}, (t) => [primaryKey({ columns: [t.providerId, t.assertionId] }), index('saml_assertions_used_expires').on(t.expiresAt)]);

/* Virtual MFA devices ------------------------------------------------------------------------- */

/**
 * Virtual MFA devices. The id is the serial number, the device's ARN
 * (`arn:aws:iam::ACCOUNT:mfa/PATH/NAME`); tags hang off it. A device is assigned to at most one
 * user (or to the account's root when `root`) by EnableMFADevice, and unassigned by
 * DeactivateMFADevice. The seed (Base32 of 20 random bytes) is sealed by the keyring with
 * associated data `mfa-seed:SERIAL`; never plaintext.
 *
 * `last_time_step` is the TOTP time step (the device's) of the last code accepted: a code is
 * accepted only for a later step, with one conditional UPDATE, so no code is accepted twice on any
 * node.
 */
export const mfaDevices = pgTable('mfa_devices', {
  id: id(),
  accountId: accountId(),
  ...named(),
  seedSealed: text('seed_sealed').notNull(),
  userId: text('user_id').references(() => users.id),
  /** Assigned to the account's root user. */
  root: boolean('root').notNull().default(false),
  /** EnableDate; null while unassigned. */
  enabledAt: timestamptz('enabled_at'),
  lastTimeStep: integer('last_time_step'),
  /**
   * How many 30-second steps the device's clock runs ahead of ours (negative: behind), learnt by
   * ResyncMFADevice; codes are looked for around our step plus this.
   */
  timeStepOffset: integer('time_step_offset').notNull().default(0),
  createdAt: createdAt(),
}, (t) => [
  uniqueName('mfa_devices', t),
  index('mfa_devices_user').on(t.userId),
  check('mfa_devices_one_owner', sql`not (${t.root} and ${t.userId} is not null)`),
]);

/* Passwords: login profiles, history, the account's policy ----------------------------------- */

/** A user's console password (at most one per user). `password_hash` is an argon2id PHC string; never the password. */
export const loginProfiles = pgTable('login_profiles', {
  userId: text('user_id').primaryKey().references(() => users.id),
  accountId: accountId(),
  passwordHash: text('password_hash').notNull(),
  passwordResetRequired: boolean('password_reset_required').notNull(),
  /** When the current password was set: the account policy's MaxPasswordAge counts from here. */
  passwordSetAt: timestamptz('password_set_at').notNull(),
  /** PasswordLastUsed (GetUser, ListUsers): the last successful console sign-in. */
  passwordLastUsedAt: timestamptz('password_last_used_at'),
  createdAt: createdAt(),
});

/** Earlier password hashes of a user, for the policy's PasswordReusePrevention (at most 24 kept). */
export const passwordHistory = pgTable('password_history', {
  userId: text('user_id').notNull().references(() => users.id),
  passwordHash: text('password_hash').notNull(),
  setAt: timestamptz('set_at').notNull(),
}, (t) => [primaryKey({ columns: [t.userId, t.setAt] })]);

/** UpdateAccountPasswordPolicy's settings; no row means the account has no policy (IAM's defaults apply). */
export const accountPasswordPolicies = pgTable('account_password_policies', {
  accountId: text('account_id').primaryKey().references(() => accounts.id),
  minimumPasswordLength: integer('minimum_password_length').notNull(),
  requireSymbols: boolean('require_symbols').notNull(),
  requireNumbers: boolean('require_numbers').notNull(),
  requireUppercaseCharacters: boolean('require_uppercase_characters').notNull(),
  requireLowercaseCharacters: boolean('require_lowercase_characters').notNull(),
  allowUsersToChangePassword: boolean('allow_users_to_change_password').notNull(),
  /** Days; null: passwords do not expire. */
  maxPasswordAge: integer('max_password_age'),
  /** How many earlier passwords may not be reused; null: none. */
  passwordReusePrevention: integer('password_reuse_prevention'),
  hardExpiry: boolean('hard_expiry'),
});

/* Throttles shared by every node (MFA codes, sign-in) ----------------------------------------- */

/**
 * Failed attempts against one key (`mfa:SERIAL`, `mfa-user:USER_ID`, `sign-in:ACCOUNT:USER`, …) in
 * the current window, and until when further attempts are refused. Always time-bounded: a block
 * ends by itself, so an attacker can slow a victim down but never lock them out for good.
 */
export const throttles = pgTable('throttles', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull(),
  windowStartedAt: timestamptz('window_started_at').notNull(),
  blockedUntil: timestamptz('blocked_until'),
});

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
