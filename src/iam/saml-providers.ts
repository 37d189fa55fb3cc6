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
 * Not yet here: encrypted assertions (AssertionEncryptionMode, AddPrivateKey, RemovePrivateKey):
 * a request that asks for them is refused rather than half-honoured, until the keys are kept
 * sealed with the keyring.
 */
import { randomUUID } from 'node:crypto';
import { AwsError } from '../errors.js';
import { defineOperation, type DefinedOperation } from '../operation.js';
import { parseIdpMetadata } from '../federation/saml/metadata.js';
import { lockQuota } from '../store/accounts.js';
import type { Db } from '../store/db.js';
import {
  countSamlProviders,
  deleteSamlProvider,
  findSamlProvider,
  insertSamlProvider,
  listSamlProviders,
  updateSamlProviderMetadata,
  type SamlProviderRow,
} from '../store/saml-providers.js';
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

/** Encrypted assertions are refused until their keys can be kept sealed (see the header). */
function refuseEncryption(input: { readonly assertionEncryptionMode?: string; readonly addPrivateKey?: string; readonly removePrivateKey?: string }): void {
  if (input.assertionEncryptionMode !== undefined || input.addPrivateKey !== undefined || input.removePrivateKey !== undefined) {
    throw new AwsError('InvalidInput', 'Encrypted SAML assertions (AssertionEncryptionMode, AddPrivateKey, RemovePrivateKey) are not supported by this service yet.');
  }
}

export const createSamlProvider = defineOperation('CreateSAMLProvider', {
  authentication: 'sigv4',
  write: true,
  resource: (input, ctx) => samlProviderArn(ctx.accountId, input.name),
  context: (input) => requestTagContext(input.tags),
  async handle(input, ctx) {
    const tags = checkTags(input.tags);
    refuseEncryption(input);
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
      createdAt: ctx.now,
    };
    if (!(await insertSamlProvider(ctx.db, row))) throw exists();
    await putTags(ctx.db, arn, tags);
    return { samlProviderArn: arn, ...(tags.length > 0 ? { tags } : {}) };
  },
});

export const getSamlProvider = defineOperation('GetSAMLProvider', {
  authentication: 'sigv4',
  write: false,
  ...providerTarget,
  async handle(_input, _ctx, _deps, target) {
    const row = requireTarget(SAML_PROVIDER, target);
    return {
      samlProviderUUID: row.uuid,
      samlMetadataDocument: row.metadata,
      createDate: row.createdAt,
      ...(row.validUntil ? { validUntil: row.validUntil } : {}),
      tags: target.tags,
      // Plain assertions only, for now (no private keys are kept): AWS's mode for that.
      assertionEncryptionMode: 'Allowed',
      privateKeyList: [],
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
  async handle(input, ctx) {
    refuseEncryption(input);
    // The model makes the document optional (for the encryption changes); without them it is the whole update.
    if (input.samlMetadataDocument === undefined) throw new AwsError('InvalidInput', 'SAMLMetadataDocument is required.');
    const metadata = parseIdpMetadata(input.samlMetadataDocument);
    const row = await requireEntity(SAML_PROVIDER, ctx, input.samlProviderArn);
    const changes = { metadata: input.samlMetadataDocument, entityId: metadata.entityId, certificates: metadata.certificates, validUntil: metadata.validUntil ?? null };
    if (!(await updateSamlProviderMetadata(ctx.db, row.arn, changes))) throw noSuchSamlProvider(row.arn);
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
