/**
 * IAM SAML providers: CreateSAMLProvider, GetSAMLProvider, ListSAMLProviders, UpdateSAMLProvider,
 * DeleteSAMLProvider and their tags (the tag family). SAML_PROVIDER is the kind they are known by,
 * named by ARN (`arn:aws:iam::ACCOUNT:saml-provider/NAME`) and counted in GetAccountSummary's
 * `Providers` with the OpenID Connect providers.
 *
 * AWS's rules (IAM API Reference, CreateSAMLProvider; IAM quotas): the name is 1..128 of
 * `[\w._-]` (the model checks it) and unique in the account; the metadata document is 1,000 to
 * 10,000,000 characters (the model) and must be one IdP EntityDescriptor with at least one
 * signing certificate, at most 10 (src/federation/saml/metadata.ts); at most 100 providers per
 * account. UpdateSAMLProvider replaces the metadata, so an IdP's certificates rotate by listing
 * the next one beside the current, then dropping the old one.
 *
 * Encrypted assertions (federation-facts §1.6): `AssertionEncryptionMode` Required (only encrypted
 * assertions) or Allowed (either), and up to 2 private keys (`AddPrivateKey` on Create or Update,
 * `RemovePrivateKey` by KeyId on Update; rotate by adding the new key, then removing the old one in
 * a separate request). A key is an RSA private key in PEM (src/federation/saml/private-key.ts),
 * kept only sealed by the keyring, bound to the provider's ARN and the KeyId; GetSAMLProvider lists
 * KeyId and Timestamp, never the key. The model marks AddPrivateKey sensitive, so neither the audit
 * trail nor a validation message carries it. Required with no key is refused, and so is removing
 * the last key while Required. A provider whose mode was never set reports Allowed.
 */
import { randomUUID } from 'node:crypto';
import { AwsError } from '../errors.js';
import { defineOperation, type DefinedOperation } from '../operation.js';
import { parseIdpMetadata } from '../federation/saml/metadata.js';
import { canonicalPrivateKey, newPrivateKeyId, samlKeyAad } from '../federation/saml/private-key.js';
import { lockQuota } from '../store/accounts.js';
import type { Db } from '../store/db.js';
import {
  countSamlProviderKeys,
  countSamlProviders,
  deleteSamlProvider,
  deleteSamlProviderKey,
  findSamlProvider,
  insertSamlProvider,
  insertSamlProviderKey,
  listSamlProviderKeys,
  listSamlProviders,
  updateSamlProviderEncryptionMode,
  updateSamlProviderMetadata,
  type SamlProviderRow,
} from '../store/saml-providers.js';
import type { Keyring } from '../tokens/keyring.js';
import { putTags } from '../store/tags.js';
import { samlProviderArn } from '../arn.js';
import { entityTarget, requireEntity, requireTarget, type EntityKind } from './entities.js';
import { checkTags, requestTagContext, tagOperations } from './tags.js';

/** IAM's quota of SAML providers per account. */
export const MAX_SAML_PROVIDERS = 100;

/** A provider as an entity: its ARN is its id (tags hang off the ARN). */
export interface SamlProviderEntity extends SamlProviderRow {
  readonly id: string;
  readonly path: string;
}

function asEntity(row: SamlProviderRow): SamlProviderEntity {
  return { ...row, id: row.arn, path: '/' };
}

/** AWS's text for a provider that is not there. */
export function noSuchSamlProvider(arn: string): AwsError {
  return new AwsError('NoSuchEntity', `Manifest not found for arn ${arn}`);
}

/**
 * SAML providers as an entity kind: named by ARN, authorized against it as the caller gave it,
 * tagged (`aws:ResourceTag/…`, as AWS's `saml-provider` resource type has it), counted as
 * `Providers`. Another account's provider does not exist here.
 */
export const SAML_PROVIDER: EntityKind<SamlProviderEntity, 'samlProviderArn', 'saml-provider'> = {
  type: 'saml-provider',
  label: 'SAMLProvider',
  key: 'samlProviderArn',
  find: async (db: Db, accountId: string, arn: string) => {
    const row = await findSamlProvider(db, accountId, arn);
    return row && asEntity(row);
  },
  arn: (_accountId, arn) => arn,
  notFound: noSuchSamlProvider,
  resourceTags: ['aws'],
  summary: { usage: 'Providers', count: countSamlProviders },
};

const providerTarget = entityTarget(SAML_PROVIDER);

/** IAM's quota of private keys per SAML provider (the model's `privateKeyList` max). */
export const MAX_SAML_PRIVATE_KEYS = 2;

// (choice of wording: AWS's texts for these refusals are not recorded)
function keyLimit(): AwsError {
  return new AwsError('LimitExceeded', `Cannot exceed quota for PrivateKeysPerSAMLProvider: ${MAX_SAML_PRIVATE_KEYS}`);
}
function requiredWithoutKey(): AwsError {
  return new AwsError('InvalidInput', 'AssertionEncryptionMode Required needs a private key: add one with AddPrivateKey.');
}

/**
 * The encryption part of a Create or Update, inside its transaction, after the provider row
 * exists: the key removed, the key added (sealed), the mode set, then the rules on the result
 * (at most 2 keys; Required only with a key). `current` is the mode before this request.
 */
async function applyEncryption(
  db: Db,
  keyring: Keyring,
  arn: string,
  accountId: string,
  now: Date,
  current: 'Required' | 'Allowed' | null,
  input: { readonly assertionEncryptionMode?: 'Required' | 'Allowed' | undefined; readonly addPrivateKey?: string | undefined; readonly removePrivateKey?: string | undefined },
): Promise<void> {
  if (input.assertionEncryptionMode === undefined && input.addPrivateKey === undefined && input.removePrivateKey === undefined) return;
  // Checked before anything is written, so a refused key changes nothing.
  const pem = input.addPrivateKey === undefined ? undefined : canonicalPrivateKey(input.addPrivateKey);
  // Two concurrent AddPrivateKey calls must not both count one key and end at three.
  await lockQuota(db, 'SAMLPrivateKeysPerAccount', accountId);
  if (input.removePrivateKey !== undefined && !(await deleteSamlProviderKey(db, arn, input.removePrivateKey))) {
    throw new AwsError('InvalidInput', `The private key ${input.removePrivateKey} does not exist for ${arn}.`);
  }
  if (pem !== undefined) {
    if ((await countSamlProviderKeys(db, arn)) >= MAX_SAML_PRIVATE_KEYS) throw keyLimit();
    const keyId = newPrivateKeyId();
    await insertSamlProviderKey(db, arn, { keyId, keySealed: keyring.seal(pem, samlKeyAad(arn, keyId)), createdAt: now });
  }
  const mode = input.assertionEncryptionMode ?? current;
  if (input.assertionEncryptionMode !== undefined) await updateSamlProviderEncryptionMode(db, arn, input.assertionEncryptionMode);
  if (mode === 'Required' && (await countSamlProviderKeys(db, arn)) === 0) throw requiredWithoutKey();
}

export const createSamlProvider = defineOperation('CreateSAMLProvider', {
  authentication: 'sigv4',
  write: true,
  resource: (input, ctx) => samlProviderArn(ctx.accountId, input.name),
  context: (input) => requestTagContext(input.tags),
  async handle(input, ctx, deps) {
    const tags = checkTags(input.tags);
    if (input.assertionEncryptionMode === 'Required' && input.addPrivateKey === undefined) throw requiredWithoutKey();
    const metadata = parseIdpMetadata(input.samlMetadataDocument);
    const arn = samlProviderArn(ctx.accountId, input.name);
    const exists = () => new AwsError('EntityAlreadyExists', `SAMLProvider ${input.name} already exists.`);
    await lockQuota(ctx.db, 'SAMLProvidersPerAccount', ctx.accountId);
    if (await findSamlProvider(ctx.db, ctx.accountId, arn)) throw exists();
    if ((await countSamlProviders(ctx.db, ctx.accountId)) >= MAX_SAML_PROVIDERS) {
      throw new AwsError('LimitExceeded', `Cannot exceed quota for SAMLProvidersPerAccount: ${MAX_SAML_PROVIDERS}`);
    }
    const row: SamlProviderRow = {
      arn,
      accountId: ctx.accountId,
      name: input.name,
      uuid: randomUUID(),
      metadata: input.samlMetadataDocument,
      entityId: metadata.entityId,
      certificates: metadata.certificates,
      validUntil: metadata.validUntil ?? null,
      assertionEncryptionMode: null,
      createdAt: ctx.now,
    };
    if (!(await insertSamlProvider(ctx.db, row))) throw exists();
    await applyEncryption(ctx.db, deps.keyring, arn, ctx.accountId, ctx.now, null, input);
    await putTags(ctx.db, arn, tags);
    return { samlProviderArn: arn, ...(tags.length > 0 ? { tags } : {}) };
  },
});

export const getSamlProvider = defineOperation('GetSAMLProvider', {
  authentication: 'sigv4',
  write: false,
  ...providerTarget,
  async handle(_input, ctx, _deps, target) {
    const row = requireTarget(SAML_PROVIDER, target);
    const keys = await listSamlProviderKeys(ctx.db, row.arn);
    return {
      samlProviderUUID: row.uuid,
      samlMetadataDocument: row.metadata,
      createDate: row.createdAt,
      ...(row.validUntil ? { validUntil: row.validUntil } : {}),
      tags: target.tags,
      // A mode never set is reported as Allowed: plaintext assertions are accepted, as with Allowed.
      assertionEncryptionMode: row.assertionEncryptionMode ?? 'Allowed',
      // The KeyId and when it was added; never the key.
      privateKeyList: keys.map((k) => ({ keyId: k.keyId, timestamp: k.createdAt })),
    };
  },
});

export const listSamlProvidersOperation = defineOperation('ListSAMLProviders', {
  authentication: 'sigv4',
  write: false,
  resource: () => '*',
  async handle(_input, ctx) {
    // At most 100 per account, and AWS's API has no paging here.
    const rows = await listSamlProviders(ctx.db, ctx.accountId);
    return { samlProviderList: rows.map((r) => ({ arn: r.arn, createDate: r.createdAt, ...(r.validUntil ? { validUntil: r.validUntil } : {}) })) };
  },
});

export const updateSamlProvider = defineOperation('UpdateSAMLProvider', {
  authentication: 'sigv4',
  write: true,
  ...providerTarget,
  async handle(input, ctx, deps) {
    const encryption = input.assertionEncryptionMode !== undefined || input.addPrivateKey !== undefined || input.removePrivateKey !== undefined;
    // The model makes every change optional; at least one is needed.
    if (input.samlMetadataDocument === undefined && !encryption) throw new AwsError('InvalidInput', 'SAMLMetadataDocument is required.');
    if (input.addPrivateKey !== undefined && input.removePrivateKey !== undefined) {
      // AWS: "To rotate private keys, add your new private key and then remove the old key in a separate request."
      throw new AwsError('InvalidInput', 'To rotate private keys, add the new private key and then remove the old key in a separate request.');
    }
    const metadata = input.samlMetadataDocument === undefined ? undefined : parseIdpMetadata(input.samlMetadataDocument);
    const row = await requireEntity(SAML_PROVIDER, ctx, input.samlProviderArn);
    if (input.samlMetadataDocument !== undefined && metadata) {
      const changes = { metadata: input.samlMetadataDocument, entityId: metadata.entityId, certificates: metadata.certificates, validUntil: metadata.validUntil ?? null };
      if (!(await updateSamlProviderMetadata(ctx.db, row.arn, changes))) throw noSuchSamlProvider(row.arn);
    }
    await applyEncryption(ctx.db, deps.keyring, row.arn, ctx.accountId, ctx.now, row.assertionEncryptionMode, input);
    return { samlProviderArn: row.arn };
  },
});

export const deleteSamlProviderOperation = defineOperation('DeleteSAMLProvider', {
  authentication: 'sigv4',
  write: true,
  ...providerTarget,
  async handle(input, ctx) {
    // Trust policies naming it are left as they are, as IAM leaves them.
    const row = await requireEntity(SAML_PROVIDER, ctx, input.samlProviderArn);
    await deleteSamlProvider(ctx.db, row.arn);
    return {};
  },
});

export const samlProviderOperations: readonly DefinedOperation[] = [
  createSamlProvider,
  getSamlProvider,
  listSamlProvidersOperation,
  updateSamlProvider,
  deleteSamlProviderOperation,
  ...tagOperations(SAML_PROVIDER),
];
