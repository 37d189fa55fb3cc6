/**
 * IAM OpenID Connect providers: CreateOpenIDConnectProvider, GetOpenIDConnectProvider,
 * ListOpenIDConnectProviders, DeleteOpenIDConnectProvider, Add/RemoveClientIDTo/FromOpenIDConnectProvider,
 * UpdateOpenIDConnectProviderThumbprint and their tags (the tag family). OIDC_PROVIDER is the kind
 * they are known by, named by ARN (`arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH`) and counted
 * in GetAccountSummary's `Providers` (with SAML providers, once there are any).
 *
 * AWS's rules (IAM API Reference, CreateOpenIDConnectProvider; IAM quotas): the URL begins with
 * `https://`, has no query, fragment or user info, and is registered once per account; at most 100
 * client ids of up to 255 characters; `ThumbprintList` optional, at most 5 hex SHA-1s of 40
 * characters, stored in lower case as IAM stores them; at most 100 providers per account. Two
 * differences, both for self-hosted identity providers: a port is allowed (AWS refuses one), and
 * outside production a plain `http://` URL is allowed on a loopback host (127.0.0.0/8, ::1,
 * localhost), so that a local IdP works without TLS.
 *
 * When ThumbprintList is left out, AWS connects to the IdP and stores the thumbprint of its top
 * intermediate CA (failing with OpenIdIdpCommunicationError when it cannot). Here the list is
 * stored empty instead and nothing is fetched at create time: AssumeRoleWithWebIdentity verifies
 * the JWKS host's TLS chain against the trust store and uses thumbprints only when that chain does
 * not validate, as AWS does today, so an empty list only means "no fallback".
 */
import { isIP } from 'node:net';
import { AwsError } from '../errors.js';
import { defineOperation, type DefinedOperation, type IdentityProviderRules } from '../operation.js';
import { lockQuota } from '../store/accounts.js';
import type { Db } from '../store/db.js';
import {
  countOidcProviders,
  deleteOidcProvider,
  findOidcProvider,
  insertOidcProvider,
  listOidcProviders,
  lockOidcProvider,
  updateOidcProvider,
  type OidcProviderRow,
} from '../store/oidc-providers.js';
import { putTags } from '../store/tags.js';
import { oidcProviderArn } from '../arn.js';
import { entityTarget, requireEntity, requireTarget, type EntityKind } from './entities.js';
import { checkTags, requestTagContext, tagOperations } from './tags.js';

/** IAM's quota of OpenID Connect providers per account. */
export const MAX_OIDC_PROVIDERS = 100;
/** IAM's quota of client ids per provider. */
export const MAX_CLIENT_IDS = 100;
/** IAM's limit of thumbprints per provider. */
export const MAX_THUMBPRINTS = 5;

/** A provider as an entity: its ARN is its id and its name (tags hang off the ARN). */
export interface OidcProviderEntity extends OidcProviderRow {
  readonly id: string;
  readonly name: string;
  readonly path: string;
}

function asEntity(row: OidcProviderRow): OidcProviderEntity {
  return { ...row, id: row.arn, name: row.arn, path: '/' };
}

export function noSuchOidcProvider(arn: string): AwsError {
  return new AwsError('NoSuchEntity', `OpenIDConnect Provider not found for arn ${arn}`);
}

/**
 * OpenID Connect providers as an entity kind: named by ARN, authorized against it as the caller
 * gave it, tagged (only `aws:ResourceTag/…`, as AWS's `oidc-provider` resource type has it),
 * counted as `Providers`. Another account's provider does not exist here.
 */
export const OIDC_PROVIDER: EntityKind<OidcProviderEntity, 'openIDConnectProviderArn', 'oidc-provider'> = {
  type: 'oidc-provider',
  label: 'OpenIDConnectProvider',
  key: 'openIDConnectProviderArn',
  find: async (db: Db, accountId: string, arn: string) => {
    const row = await findOidcProvider(db, accountId, arn);
    return row && asEntity(row);
  },
  arn: (_accountId, arn) => arn,
  notFound: noSuchOidcProvider,
  resourceTags: ['aws'],
  summary: { usage: 'Providers', count: countOidcProviders },
};

const providerTarget = entityTarget(OIDC_PROVIDER);

/* The URL ------------------------------------------------------------------------------------- */

/** A provider URL as IAM keeps it: `url` without the scheme (the ARN's), `issuer` exactly as given (the tokens' `iss`). */
export interface ProviderUrl {
  readonly url: string;
  readonly issuer: string;
}

const INVALID_URL = 'Invalid Open ID Connect Provider URL';

function invalidUrl(): AwsError {
  return new AwsError('InvalidInput', `${INVALID_URL}.`);
}

/** 127.0.0.0/8, ::1 or localhost, as WHATWG URL parsing normalised it (`127.1` is 127.0.0.1, `[::1]`). */
export function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost') return true;
  if (hostname === '[::1]') return true;
  return isIP(hostname) === 4 && hostname.startsWith('127.');
}

/**
 * Check a CreateOpenIDConnectProvider Url. No scheme at all, or no host, is ValidationError
 * "Invalid Open ID Connect Provider URL"; another scheme than https is InvalidInput "… The URL
 * must begin with https://."; a query, fragment or user info is InvalidInput "Invalid Open ID
 * Connect Provider URL." (AWS's texts, as emulators that recorded them have them).
 */
export function parseProviderUrl(raw: string, rules: Pick<IdentityProviderRules, 'allowLoopbackHttp'>): ProviderUrl {
  const schemeEnd = raw.indexOf('://');
  if (schemeEnd <= 0) throw new AwsError('ValidationError', INVALID_URL);
  const rest = raw.slice(schemeEnd + 3);
  const authority = rest.split('/', 1)[0] ?? '';
  if (authority === '') throw new AwsError('ValidationError', INVALID_URL);
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new AwsError('ValidationError', INVALID_URL);
  }
  const scheme = raw.slice(0, schemeEnd);
  const plainLoopback = scheme === 'http' && rules.allowLoopbackHttp && isLoopbackHost(parsed.hostname);
  if (scheme !== 'https' && !plainLoopback) throw new AwsError('InvalidInput', `${INVALID_URL}. The URL must begin with https://.`);
  if (/[?#\s\\]/.test(rest) || authority.includes('@')) throw invalidUrl();
  return { url: rest, issuer: raw };
}

/* Lists --------------------------------------------------------------------------------------- */

function tooManyClientIds(): AwsError {
  return new AwsError('LimitExceeded', `Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: ${MAX_CLIENT_IDS}`);
}

/** Each client id once, in the order given; at most 100 (lengths are the model's). */
export function checkClientIds(ids: readonly string[] | undefined): string[] {
  const unique = [...new Set(ids ?? [])];
  if (unique.length > MAX_CLIENT_IDS) throw tooManyClientIds();
  return unique;
}

const THUMBPRINT = /^[0-9a-f]{40}$/;

/**
 * At most 5 thumbprints ("Thumbprint list must contain fewer than 5 entries.", AWS's words for
 * six), each 40 hex digits (the model checks the length), stored in lower case as IAM stores them.
 */
export function checkThumbprints(list: readonly string[] | undefined): string[] {
  const lower = [...new Set((list ?? []).map((t) => t.toLowerCase()))];
  if (lower.length > MAX_THUMBPRINTS) throw new AwsError('InvalidInput', 'Thumbprint list must contain fewer than 5 entries.');
  const bad = lower.find((t) => !THUMBPRINT.test(t));
  if (bad !== undefined) throw new AwsError('InvalidInput', `Thumbprint ${bad} is not a SHA-1 fingerprint: it must be 40 hexadecimal digits.`);
  return lower;
}

/** The ARN a create is authorized against: the URL without its scheme, whatever the URL (it is checked after). */
function arnOfUrl(accountId: string, raw: string): string {
  const schemeEnd = raw.indexOf('://');
  return oidcProviderArn(accountId, schemeEnd > 0 ? raw.slice(schemeEnd + 3) : raw);
}

/* Operations ---------------------------------------------------------------------------------- */

export const createOpenIdConnectProvider = defineOperation('CreateOpenIDConnectProvider', {
  authentication: 'sigv4',
  write: true,
  resource: (input, ctx) => arnOfUrl(ctx.accountId, input.url),
  context: (input) => requestTagContext(input.tags),
  async handle(input, ctx, deps) {
    const tags = checkTags(input.tags);
    const { url, issuer } = parseProviderUrl(input.url, deps.identityProviders);
    const clientIds = checkClientIds(input.clientIDList);
    const thumbprints = checkThumbprints(input.thumbprintList);
    const arn = oidcProviderArn(ctx.accountId, url);
    const exists = () => new AwsError('EntityAlreadyExists', `Provider with url ${input.url} already exists.`);
    await lockQuota(ctx.db, 'OpenIdConnectProvidersPerAccount', ctx.accountId);
    if (await findOidcProvider(ctx.db, ctx.accountId, arn)) throw exists();
    if ((await countOidcProviders(ctx.db, ctx.accountId)) >= MAX_OIDC_PROVIDERS) {
      throw new AwsError('LimitExceeded', `Cannot exceed quota for OpenIdConnectProvidersPerAccount: ${MAX_OIDC_PROVIDERS}`);
    }
    if (!(await insertOidcProvider(ctx.db, { arn, accountId: ctx.accountId, url, issuer, clientIds, thumbprints, createdAt: ctx.now }))) throw exists();
    await putTags(ctx.db, arn, tags);
    return { openIDConnectProviderArn: arn, ...(tags.length > 0 ? { tags } : {}) };
  },
});

export const getOpenIdConnectProvider = defineOperation('GetOpenIDConnectProvider', {
  authentication: 'sigv4',
  write: false,
  ...providerTarget,
  async handle(_input, _ctx, _deps, target) {
    const row = requireTarget(OIDC_PROVIDER, target);
    return { url: row.url, clientIDList: row.clientIds, thumbprintList: row.thumbprints, createDate: row.createdAt, tags: target.tags };
  },
});

export const listOpenIdConnectProviders = defineOperation('ListOpenIDConnectProviders', {
  authentication: 'sigv4',
  write: false,
  resource: () => '*',
  async handle(_input, ctx) {
    // At most 100 per account, and AWS's API has no paging here.
    const rows = await listOidcProviders(ctx.db, ctx.accountId);
    return { openIDConnectProviderList: rows.map((r) => ({ arn: r.arn })) };
  },
});

export const deleteOpenIdConnectProvider = defineOperation('DeleteOpenIDConnectProvider', {
  authentication: 'sigv4',
  write: true,
  ...providerTarget,
  async handle(input, ctx) {
    // NoSuchEntity when it is gone (the model lists it). Trust policies naming it are left as
    // they are, as IAM leaves them: they name no provider until one with that URL is created again.
    const row = await requireEntity(OIDC_PROVIDER, ctx, input.openIDConnectProviderArn);
    await deleteOidcProvider(ctx.db, row.arn);
    return {};
  },
});

/** The provider locked for a read-then-write change, or NoSuchEntity. */
async function lockProvider(db: Db, accountId: string, arn: string): Promise<OidcProviderRow> {
  const row = await lockOidcProvider(db, accountId, arn);
  if (!row) throw noSuchOidcProvider(arn);
  return row;
}

export const addClientIdToOpenIdConnectProvider = defineOperation('AddClientIDToOpenIDConnectProvider', {
  authentication: 'sigv4',
  write: true,
  ...providerTarget,
  async handle(input, ctx) {
    const row = await lockProvider(ctx.db, ctx.accountId, input.openIDConnectProviderArn);
    // Adding one it already has changes nothing and is no error, as on AWS.
    if (row.clientIds.includes(input.clientID)) return {};
    if (row.clientIds.length >= MAX_CLIENT_IDS) throw tooManyClientIds();
    await updateOidcProvider(ctx.db, row.arn, { clientIds: [...row.clientIds, input.clientID] });
    return {};
  },
});

export const removeClientIdFromOpenIdConnectProvider = defineOperation('RemoveClientIDFromOpenIDConnectProvider', {
  authentication: 'sigv4',
  write: true,
  ...providerTarget,
  async handle(input, ctx) {
    const row = await lockProvider(ctx.db, ctx.accountId, input.openIDConnectProviderArn);
    // Removing one it does not have is no error ("This operation is idempotent").
    if (!row.clientIds.includes(input.clientID)) return {};
    await updateOidcProvider(ctx.db, row.arn, { clientIds: row.clientIds.filter((c) => c !== input.clientID) });
    return {};
  },
});

export const updateOpenIdConnectProviderThumbprint = defineOperation('UpdateOpenIDConnectProviderThumbprint', {
  authentication: 'sigv4',
  write: true,
  ...providerTarget,
  async handle(input, ctx) {
    const thumbprints = checkThumbprints(input.thumbprintList);
    const row = await lockProvider(ctx.db, ctx.accountId, input.openIDConnectProviderArn);
    // The list replaces the old one entirely.
    await updateOidcProvider(ctx.db, row.arn, { thumbprints });
    return {};
  },
});

export const oidcProviderOperations: readonly DefinedOperation[] = [
  createOpenIdConnectProvider,
  getOpenIdConnectProvider,
  listOpenIdConnectProviders,
  deleteOpenIdConnectProvider,
  addClientIdToOpenIdConnectProvider,
  removeClientIdFromOpenIdConnectProvider,
  updateOpenIdConnectProviderThumbprint,
  ...tagOperations(OIDC_PROVIDER),
];
