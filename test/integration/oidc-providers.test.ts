/**
 * IAM OpenID Connect providers through the HTTP service with the AWS SDK: every operation, AWS's
 * validation rules and texts, the two differences (a port; plain http on loopback outside
 * production), tags, GetAccountSummary's `Providers`, the quota, provider ARNs as `Federated`
 * principals in trust policies, and the multi-tenant issuer guardrail.
 */
import {
  AddClientIDToOpenIDConnectProviderCommand,
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  DeleteOpenIDConnectProviderCommand,
  GetAccountSummaryCommand,
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  ListOpenIDConnectProvidersCommand,
  ListOpenIDConnectProviderTagsCommand,
  RemoveClientIDFromOpenIDConnectProviderCommand,
  TagOpenIDConnectProviderCommand,
  UntagOpenIDConnectProviderCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateOpenIDConnectProviderThumbprintCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { describe, expect, test } from 'vitest';
import { findOidcProviderByIssuer } from '../../src/store/oidc-providers.js';
import { rootCredentials, type TestService, useService } from '../helpers/service.js';

let svc: TestService;
let iam: IAMClient;
let acct: string;
useService((s) => ({ svc, iam, acct } = s));

const GH = 'token.actions.githubusercontent.com';
const arnOf = (url: string, account = acct) => `arn:aws:iam::${account}:oidc-provider/${url}`;
const thumb = (c: string) => c.repeat(40);
const create = (url: string, more: { ClientIDList?: string[]; ThumbprintList?: string[]; Tags?: { Key: string; Value: string }[] } = {}) =>
  iam.send(new CreateOpenIDConnectProviderCommand({ Url: url, ...more }));
const get = (arn: string) => iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);

function trustPolicy(federated: string | string[], condition?: object): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Federated: federated }, Action: 'sts:AssumeRoleWithWebIdentity', ...(condition ? { Condition: condition } : {}) }],
  });
}

describe('create, get, list, delete', () => {
  test('CreateOpenIDConnectProvider returns the ARN (the URL without its scheme) and its tags; Get shows it as IAM does', async () => {
    const out = await create('https://idp.example.com/realms/main', {
      ClientIDList: ['app-1', 'app-2'],
      ThumbprintList: ['9E99A48A9960B14926BB7F3B02E22DA2B0AB7280'],
      Tags: [{ Key: 'team', Value: 'a' }],
    });
    expect(out.OpenIDConnectProviderArn).toBe(arnOf('idp.example.com/realms/main'));
    expect(out.Tags).toEqual([{ Key: 'team', Value: 'a' }]);
    const got = await get(arnOf('idp.example.com/realms/main'));
    expect(got).toMatchObject({
      Url: 'idp.example.com/realms/main',
      ClientIDList: ['app-1', 'app-2'],
      // IAM keeps thumbprints in lower case, whatever case they were given in.
      ThumbprintList: ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'],
      Tags: [{ Key: 'team', Value: 'a' }],
    });
    expect(got.CreateDate).toBeInstanceOf(Date);
    expect(Math.abs((got.CreateDate?.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
    // AssumeRoleWithWebIdentity finds it by the tokens' exact iss.
    expect(await findOidcProviderByIssuer(svc.store.db, acct, 'https://idp.example.com/realms/main')).toMatchObject({ arn: arnOf('idp.example.com/realms/main') });
  });

  test('ThumbprintList and ClientIDList are optional (stored empty; nothing is fetched from the IdP)', async () => {
    const { OpenIDConnectProviderArn: arn = '' } = await create('https://bare.example.com');
    const got = await get(arn);
    expect(got.ClientIDList ?? []).toEqual([]);
    expect(got.ThumbprintList ?? []).toEqual([]);
    expect(got.Tags ?? []).toEqual([]);
  });

  test('unlike AWS, a port is allowed (self-hosted IdPs often listen on one); it is part of the URL and the ARN', async () => {
    const { OpenIDConnectProviderArn } = await create('https://keycloak.example.com:8443/realms/dev', { ClientIDList: ['k'] });
    expect(OpenIDConnectProviderArn).toBe(arnOf('keycloak.example.com:8443/realms/dev'));
    expect((await get(arnOf('keycloak.example.com:8443/realms/dev'))).Url).toBe('keycloak.example.com:8443/realms/dev');
  });

  test.each([
    ['http://127.0.0.1:9000/issuer', '127.0.0.1:9000/issuer'],
    ['http://127.8.9.10', '127.8.9.10'],
    ['http://localhost:5556/dex', 'localhost:5556/dex'],
    ['http://[::1]:8080', '[::1]:8080'],
  ])('outside production a plain http URL on a loopback host is allowed: %s', async (url, shown) => {
    expect((await create(url)).OpenIDConnectProviderArn).toBe(arnOf(shown));
    expect(await findOidcProviderByIssuer(svc.store.db, acct, url)).toMatchObject({ url: shown, issuer: url });
  });

  test('one provider per URL: EntityAlreadyExists with AWS\'s text', async () => {
    await create('https://dup.example.com', { ThumbprintList: [thumb('a')] });
    await expect(create('https://dup.example.com', { ClientIDList: ['other'] })).rejects.toMatchObject({
      name: 'EntityAlreadyExistsException',
      message: 'Provider with url https://dup.example.com already exists.',
      $metadata: { httpStatusCode: 409 },
    });
  });

  test('ListOpenIDConnectProviders lists the account\'s ARNs (no paging, as on AWS), and no other account\'s', async () => {
    const other = await svc.newAccount();
    const otherIam = svc.iam(rootCredentials(other));
    await otherIam.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://other-account.example.com' }));
    const { OpenIDConnectProviderList = [] } = await iam.send(new ListOpenIDConnectProvidersCommand({}));
    const arns = OpenIDConnectProviderList.map((p) => p.Arn);
    expect(arns).toEqual(expect.arrayContaining([arnOf('idp.example.com/realms/main'), arnOf('bare.example.com')]));
    expect(arns.some((a) => a?.includes('other-account'))).toBe(false);
    expect(OpenIDConnectProviderList.every((p) => Object.keys(p).join() === 'Arn')).toBe(true);
    // Another account's provider is another account's resource: even root is not allowed it.
    await expect(get(arnOf('other-account.example.com', other.accountId))).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  test('DeleteOpenIDConnectProvider removes it and its tags; then every operation on it is NoSuchEntity', async () => {
    const arn = arnOf('gone.example.com');
    await create('https://gone.example.com', { Tags: [{ Key: 'k', Value: 'v' }] });
    await iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
    const notFound = { name: 'NoSuchEntityException', message: `OpenIDConnect Provider not found for arn ${arn}`, $metadata: { httpStatusCode: 404 } };
    await expect(get(arn)).rejects.toMatchObject(notFound);
    await expect(iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }))).rejects.toMatchObject(notFound);
    await expect(iam.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: 'c' }))).rejects.toMatchObject(notFound);
    await expect(iam.send(new RemoveClientIDFromOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: 'c' }))).rejects.toMatchObject(notFound);
    await expect(iam.send(new UpdateOpenIDConnectProviderThumbprintCommand({ OpenIDConnectProviderArn: arn, ThumbprintList: [] }))).rejects.toMatchObject(notFound);
    await expect(iam.send(new TagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, Tags: [{ Key: 'k', Value: 'v' }] }))).rejects.toMatchObject(notFound);
    await expect(iam.send(new UntagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, TagKeys: ['k'] }))).rejects.toMatchObject(notFound);
    await expect(iam.send(new ListOpenIDConnectProviderTagsCommand({ OpenIDConnectProviderArn: arn }))).rejects.toMatchObject(notFound);
    // Created again under the same URL, it starts with no tags.
    await create('https://gone.example.com');
    expect((await iam.send(new ListOpenIDConnectProviderTagsCommand({ OpenIDConnectProviderArn: arn }))).Tags ?? []).toEqual([]);
  });

  test('an ARN that names no provider at all is NoSuchEntity too', async () => {
    await expect(get(`arn:aws:iam::${acct}:role/not-a-provider`)).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });
});

describe('validation, with AWS\'s codes and texts', () => {
  const refused: [string, () => Promise<unknown>, object][] = [
    ['a URL without a scheme', () => create('idp.example.com'), { name: 'ValidationError', message: 'Invalid Open ID Connect Provider URL' }],
    ['a URL without a host', () => create('https://'), { name: 'ValidationError', message: 'Invalid Open ID Connect Provider URL' }],
    ['a URL without a host, with a path', () => create('https:///path'), { name: 'ValidationError', message: 'Invalid Open ID Connect Provider URL' }],
    ['plain http on a host that is not loopback', () => create('http://idp.example.com'), { name: 'InvalidInputException', message: 'Invalid Open ID Connect Provider URL. The URL must begin with https://.' }],
    ['plain http on an address outside 127.0.0.0/8', () => create('http://128.0.0.1'), { name: 'InvalidInputException', message: 'Invalid Open ID Connect Provider URL. The URL must begin with https://.' }],
    ['another scheme', () => create('ftp://idp.example.com'), { name: 'InvalidInputException', message: 'Invalid Open ID Connect Provider URL. The URL must begin with https://.' }],
    ['a query', () => create('https://idp.example.com?tenant=1'), { name: 'InvalidInputException', message: 'Invalid Open ID Connect Provider URL.' }],
    ['an empty query', () => create('https://idp.example.com/?'), { name: 'InvalidInputException', message: 'Invalid Open ID Connect Provider URL.' }],
    ['a fragment', () => create('https://idp.example.com#x'), { name: 'InvalidInputException', message: 'Invalid Open ID Connect Provider URL.' }],
    ['user info', () => create('https://user:pw@idp.example.com'), { name: 'InvalidInputException', message: 'Invalid Open ID Connect Provider URL.' }],
    ['a URL over 255 characters (the model)', () => create(`https://${'a'.repeat(250)}.com`), { name: 'ValidationError' }],
    ['six thumbprints', () => create('https://v.example.com', { ThumbprintList: ['1', '2', '3', '4', '5', '6'].map(thumb) }), { name: 'InvalidInputException', message: 'Thumbprint list must contain fewer than 5 entries.' }],
    ['a thumbprint of 39 characters (the model)', () => create('https://v.example.com', { ThumbprintList: ['a'.repeat(39)] }), { name: 'ValidationError' }],
    ['a thumbprint that is not hex', () => create('https://v.example.com', { ThumbprintList: [thumb('g')] }), { name: 'InvalidInputException', message: `Thumbprint ${thumb('g')} is not a SHA-1 fingerprint: it must be 40 hexadecimal digits.` }],
    ['101 client ids', () => create('https://v.example.com', { ClientIDList: Array.from({ length: 101 }, (_, i) => `c${i}`) }), { name: 'LimitExceededException', message: 'Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100' }],
    ['a client id of 256 characters (the model)', () => create('https://v.example.com', { ClientIDList: ['c'.repeat(256)] }), { name: 'ValidationError' }],
    ['an empty client id (the model)', () => create('https://v.example.com', { ClientIDList: [''] }), { name: 'ValidationError' }],
    ['duplicate tag keys', () => create('https://v.example.com', { Tags: [{ Key: 'a', Value: '1' }, { Key: 'A', Value: '2' }] }), { name: 'InvalidInputException', message: 'Duplicate tag keys found. Please note that Tag keys are case insensitive.' }],
    ['an aws: tag key', () => create('https://v.example.com', { Tags: [{ Key: 'aws:x', Value: '1' }] }), { name: 'InvalidInputException' }],
    ['51 tags (the model)', () => create('https://v.example.com', { Tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) }), { name: 'ValidationError' }],
  ];
  test.each(refused)('CreateOpenIDConnectProvider refuses %s', async (_, call, expected) => {
    expect(await failure(call())).toMatchObject(expected);
  });

  test('nothing refused was created', async () => {
    const { OpenIDConnectProviderList = [] } = await iam.send(new ListOpenIDConnectProvidersCommand({}));
    expect(OpenIDConnectProviderList.map((p) => p.Arn).filter((a) => a?.includes('v.example.com') || a?.includes('idp.example.com?'))).toEqual([]);
  });

  test('100 client ids are allowed, given twice they count once', async () => {
    const ids = Array.from({ length: 100 }, (_, i) => `c${i}`);
    const { OpenIDConnectProviderArn: arn = '' } = await create('https://hundred.example.com', { ClientIDList: [...ids, 'c0'] });
    expect((await get(arn)).ClientIDList).toEqual(ids);
  });
});

describe('client ids and thumbprints', () => {
  test('AddClientID and RemoveClientID are idempotent; the 101st client id is LimitExceeded', async () => {
    const { OpenIDConnectProviderArn: arn = '' } = await create('https://clients.example.com', { ClientIDList: ['a'] });
    const add = (id: string) => iam.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: id }));
    const remove = (id: string) => iam.send(new RemoveClientIDFromOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: id }));
    await add('b');
    await add('b');
    expect((await get(arn)).ClientIDList).toEqual(['a', 'b']);
    await remove('a');
    await remove('a');
    await remove('never');
    expect((await get(arn)).ClientIDList).toEqual(['b']);
    for (let i = 0; i < 99; i++) await add(`x${i}`);
    expect((await get(arn)).ClientIDList).toHaveLength(100);
    await expect(add('one-too-many')).rejects.toMatchObject({ name: 'LimitExceededException', message: 'Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100' });
    // One it already has is still no change and no error.
    await add('b');
    await expect(add('c'.repeat(256))).rejects.toMatchObject({ name: 'ValidationError' });
  });

  test('UpdateOpenIDConnectProviderThumbprint replaces the list (lower case), may empty it, and checks it as Create does', async () => {
    const { OpenIDConnectProviderArn: arn = '' } = await create('https://thumbs.example.com', { ThumbprintList: [thumb('a')] });
    const update = (list: string[]) => iam.send(new UpdateOpenIDConnectProviderThumbprintCommand({ OpenIDConnectProviderArn: arn, ThumbprintList: list }));
    await update([thumb('B'), thumb('c')]);
    expect((await get(arn)).ThumbprintList).toEqual([thumb('b'), thumb('c')]);
    await update([]);
    expect((await get(arn)).ThumbprintList ?? []).toEqual([]);
    await expect(update(['1', '2', '3', '4', '5', '6'].map(thumb))).rejects.toMatchObject({ name: 'InvalidInputException', message: 'Thumbprint list must contain fewer than 5 entries.' });
    await expect(update([thumb('z')])).rejects.toMatchObject({ name: 'InvalidInputException' });
    await update(['1', '2', '3', '4', '5'].map(thumb));
    expect((await get(arn)).ThumbprintList).toHaveLength(5);
  });
});

describe('tags', () => {
  test('Tag, Untag and ListOpenIDConnectProviderTags (the tag family); Get shows them', async () => {
    const { OpenIDConnectProviderArn: arn = '' } = await create('https://tagged.example.com', { Tags: [{ Key: 'env', Value: 'dev' }] });
    await iam.send(new TagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, Tags: [{ Key: 'ENV', Value: 'prod' }, { Key: 'team', Value: 'x' }] }));
    expect((await iam.send(new ListOpenIDConnectProviderTagsCommand({ OpenIDConnectProviderArn: arn }))).Tags).toEqual([
      { Key: 'ENV', Value: 'prod' },
      { Key: 'team', Value: 'x' },
    ]);
    await iam.send(new UntagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, TagKeys: ['env', 'absent'] }));
    expect((await get(arn)).Tags).toEqual([{ Key: 'team', Value: 'x' }]);
    const page = await iam.send(new ListOpenIDConnectProviderTagsCommand({ OpenIDConnectProviderArn: arn, MaxItems: 1 }));
    expect(page).toMatchObject({ Tags: [{ Key: 'team', Value: 'x' }], IsTruncated: false });
    await expect(iam.send(new TagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, Tags: [{ Key: 'aws:x', Value: 'v' }] }))).rejects.toMatchObject({ name: 'InvalidInputException' });
  });

  test('its tags are aws:ResourceTag/… (not iam:ResourceTag), and a create is authorized on the ARN it would have', async () => {
    const { OpenIDConnectProviderArn: teamA = '' } = await create('https://team-a.example.com', { Tags: [{ Key: 'team', Value: 'a' }] });
    const { OpenIDConnectProviderArn: teamB = '' } = await create('https://team-b.example.com', { Tags: [{ Key: 'team', Value: 'b' }] });
    const user = await svc.userWithPolicy('oidc-team-a', {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'iam:GetOpenIDConnectProvider', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'a' } } },
        { Effect: 'Allow', Action: 'iam:GetOpenIDConnectProvider', Resource: '*', Condition: { StringEquals: { 'iam:ResourceTag/team': 'b' } } },
        { Effect: 'Allow', Action: 'iam:CreateOpenIDConnectProvider', Resource: `arn:aws:iam::${acct}:oidc-provider/allowed.example.com` },
      ],
    });
    const asUser = svc.iam(user);
    await expect(asUser.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: teamA }))).resolves.toMatchObject({ Url: 'team-a.example.com' });
    await expect(asUser.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: teamB }))).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(asUser.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://allowed.example.com' }))).resolves.toMatchObject({ OpenIDConnectProviderArn: arnOf('allowed.example.com') });
    await expect(asUser.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://other.example.com' }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringContaining(`iam:CreateOpenIDConnectProvider on resource: ${arnOf('other.example.com')}`),
    });
  });
});

describe('GetAccountSummary and the quota', () => {
  test('Providers counts the account\'s providers; the 101st is LimitExceeded', async () => {
    const account = await svc.newAccount();
    const own = svc.iam(rootCredentials(account));
    const providers = async () => (await own.send(new GetAccountSummaryCommand({}))).SummaryMap?.Providers;
    expect(await providers()).toBe(0);
    await own.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://p0.example.com' }));
    expect(await providers()).toBe(1);
    for (let i = 1; i < 100; i++) await own.send(new CreateOpenIDConnectProviderCommand({ Url: `https://p${i}.example.com` }));
    expect(await providers()).toBe(100);
    await expect(own.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://p100.example.com' }))).rejects.toMatchObject({
      name: 'LimitExceededException',
      message: 'Cannot exceed quota for OpenIdConnectProvidersPerAccount: 100',
      $metadata: { httpStatusCode: 409 },
    });
    // A duplicate is still EntityAlreadyExists at the quota.
    await expect(own.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://p0.example.com' }))).rejects.toMatchObject({ name: 'EntityAlreadyExistsException' });
    await own.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: `arn:aws:iam::${account.accountId}:oidc-provider/p0.example.com` }));
    expect(await providers()).toBe(99);
  }, 120_000);
});

describe('trust policies naming providers', () => {
  const createRole = (name: string, doc: string) => iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: doc }));

  test('a provider ARN that exists is accepted as Federated, and kept as written', async () => {
    await create('https://trusted.example.com', { ClientIDList: ['app'] });
    const doc = trustPolicy(arnOf('trusted.example.com'), { StringEquals: { 'trusted.example.com:aud': 'app' } });
    const { Role } = await createRole('TrustsProvider', doc);
    expect(decodeURIComponent(Role?.AssumeRolePolicyDocument ?? '')).toBe(doc);
  });

  test('another account\'s provider that exists is accepted too, as users and roles of other accounts are', async () => {
    const other = await svc.newAccount();
    await svc.iam(rootCredentials(other)).send(new CreateOpenIDConnectProviderCommand({ Url: 'https://theirs.example.com' }));
    await createRole('TrustsTheirs', trustPolicy(arnOf('theirs.example.com', other.accountId)));
  });

  test.each([
    ['accounts.google.com', 'aud'],
    ['graph.facebook.com', 'app_id'],
    ['www.amazon.com', 'app_id'],
    ['cognito-identity.amazonaws.com', 'aud'],
  ])('the built-in provider %s needs no IAM object (only a condition on its %s key)', async (name, key) => {
    await createRole(`BuiltIn-${name.replaceAll('.', '-')}`, trustPolicy(name, { StringEquals: { [`${name}:${key}`]: 'my-app' } }));
    // Without one, any app's users could assume the role: refused, saying why.
    await expect(createRole(`BuiltInOpen-${name.replaceAll('.', '-')}`, trustPolicy(name))).rejects.toMatchObject({
      name: 'MalformedPolicyDocumentException',
      message: expect.stringContaining(`for the built-in identity provider ${name} without a condition on ${name}:${key}`),
    });
  });

  test('a wildcard principal trusted for web identities is refused at CreateRole and UpdateAssumeRolePolicy (any Google user could assume the role)', async () => {
    const open = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRoleWithWebIdentity' }] });
    const refused = { name: 'MalformedPolicyDocumentException', message: expect.stringContaining('allows sts:AssumeRoleWithWebIdentity for every principal ("*")') };
    await expect(createRole('WildcardWeb', open)).rejects.toMatchObject(refused);
    await createRole('WildcardLater', trustPolicy(arnOf('trusted.example.com')));
    await expect(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'WildcardLater', PolicyDocument: open }))).rejects.toMatchObject(refused);
    // Kept out by a key only signed callers carry: accepted.
    await createRole('WildcardOrg', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sts:*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } }] }));
  });

  test('a SAML provider ARN is checked too: one that does not exist is refused (saml-providers.test.ts has the rest)', async () => {
    await expect(createRole('TrustsSaml', trustPolicy(`arn:aws:iam::${acct}:saml-provider/Corp`))).rejects.toMatchObject({
      name: 'MalformedPolicyDocumentException',
      message: `Invalid principal in policy: "Federated":"arn:aws:iam::${acct}:saml-provider/Corp"`,
    });
  });

  const refused: [string, () => string][] = [
    ['a provider that does not exist', () => arnOf('missing.example.com')],
    ['a provider of another URL case', () => arnOf('TRUSTED.example.com')],
    ['a provider of an account not in this deployment', () => 'arn:aws:iam::999999999999:oidc-provider/trusted.example.com'],
    ['a provider in another partition', () => `arn:aws-cn:iam::${acct}:oidc-provider/trusted.example.com`],
  ];
  test.each(refused)('CreateRole refuses %s: Invalid principal in policy: "Federated":ARN', async (_, arn) => {
    await expect(createRole('Refused', trustPolicy(['accounts.google.com', arn()]))).rejects.toMatchObject({
      name: 'MalformedPolicyDocumentException',
      message: `Invalid principal in policy: "Federated":"${arn()}"`,
    });
  });

  test('UpdateAssumeRolePolicy checks too: once the provider is deleted, the same document is refused and the old one kept', async () => {
    const arn = arnOf('leaving.example.com');
    await create('https://leaving.example.com');
    const doc = trustPolicy(arn);
    await createRole('TrustsLeaving', doc);
    await iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
    // The role keeps its trust policy (IAM leaves it): it names no provider now.
    expect(decodeURIComponent((await iam.send(new GetRoleCommand({ RoleName: 'TrustsLeaving' }))).Role?.AssumeRolePolicyDocument ?? '')).toBe(doc);
    await expect(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'TrustsLeaving', PolicyDocument: doc }))).rejects.toMatchObject({
      name: 'MalformedPolicyDocumentException',
      message: `Invalid principal in policy: "Federated":"${arn}"`,
    });
  });
});

describe('the multi-tenant issuer guardrail', () => {
  const createRole = (name: string, doc: string) => iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: doc }));
  const refusedFor = (url: string) => ({
    name: 'MalformedPolicyDocumentException',
    message: expect.stringMatching(new RegExp(`^Trust policy statement 1 allows sts:AssumeRoleWithWebIdentity for the multi-tenant identity provider ${url.replaceAll('.', '\\.')} without a condition on ${url.replaceAll('.', '\\.')}:sub.*: anyone on that platform can get a token from it\\.`)),
  });

  test('GitHub\'s issuer without a condition on sub (or repository) is refused at CreateRole and UpdateAssumeRolePolicy', async () => {
    await create(`https://${GH}`, { ClientIDList: ['sts.amazonaws.com'] });
    await expect(createRole('GitHubOpen', trustPolicy(arnOf(GH)))).rejects.toMatchObject(refusedFor(GH));
    await expect(createRole('GitHubAudOnly', trustPolicy(arnOf(GH), { StringEquals: { [`${GH}:aud`]: 'sts.amazonaws.com' } }))).rejects.toMatchObject(refusedFor(GH));
    await expect(createRole('GitHubStar', trustPolicy(arnOf(GH), { StringLike: { [`${GH}:sub`]: '*' } }))).rejects.toMatchObject(refusedFor(GH));
    // The bare issuer name (no IAM object) is caught the same way.
    await expect(createRole('GitHubBare', trustPolicy(GH))).rejects.toMatchObject(refusedFor(GH));

    const scoped = trustPolicy(arnOf(GH), { StringEquals: { [`${GH}:aud`]: 'sts.amazonaws.com' }, StringLike: { [`${GH}:sub`]: 'repo:my-org/my-repo:*' } });
    await createRole('GitHubScoped', scoped);
    await createRole('GitHubRepoId', trustPolicy(arnOf(GH), { StringEquals: { [`${GH}:repository_id`]: '123456' } }));
    await expect(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'GitHubScoped', PolicyDocument: trustPolicy(arnOf(GH)) }))).rejects.toMatchObject(refusedFor(GH));
    expect(decodeURIComponent((await iam.send(new GetRoleCommand({ RoleName: 'GitHubScoped' }))).Role?.AssumeRolePolicyDocument ?? '')).toBe(scoped);
  });

  test('GitLab\'s issuer too', async () => {
    await create('https://gitlab.com');
    await expect(createRole('GitLabOpen', trustPolicy(arnOf('gitlab.com')))).rejects.toMatchObject(refusedFor('gitlab.com'));
    await createRole('GitLabScoped', trustPolicy(arnOf('gitlab.com'), { StringLike: { 'gitlab.com:sub': 'project_path:group/project:ref_type:branch:ref:main' } }));
  });

  test('a single-tenant provider needs no such condition', async () => {
    await create('https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE');
    await createRole('Eks', trustPolicy(arnOf('oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE')));
  });
});

describe('in production, with a configured list of multi-tenant issuers', () => {
  let prod: IAMClient;
  let prodAcct: string;
  useService((s) => ({ iam: prod, acct: prodAcct } = s), { production: true, multiTenantIssuers: ['shared.example.com'] });

  test('plain http is refused even on loopback', async () => {
    for (const url of ['http://127.0.0.1:9000', 'http://localhost:5556/dex', 'http://[::1]']) {
      await expect(prod.send(new CreateOpenIDConnectProviderCommand({ Url: url }))).rejects.toMatchObject({
        name: 'InvalidInputException',
        message: 'Invalid Open ID Connect Provider URL. The URL must begin with https://.',
      });
    }
    await prod.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://127.0.0.1:9443' }));
  });

  test('the configured list replaces the default one', async () => {
    const arn = (url: string) => `arn:aws:iam::${prodAcct}:oidc-provider/${url}`;
    await prod.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://shared.example.com' }));
    await prod.send(new CreateOpenIDConnectProviderCommand({ Url: `https://${GH}` }));
    await expect(prod.send(new CreateRoleCommand({ RoleName: 'Shared', AssumeRolePolicyDocument: trustPolicy(arn('shared.example.com')) }))).rejects.toMatchObject({
      name: 'MalformedPolicyDocumentException',
      message: expect.stringContaining('multi-tenant identity provider shared.example.com without a condition on shared.example.com:sub'),
    });
    await prod.send(new CreateRoleCommand({ RoleName: 'GitHubNotListed', AssumeRolePolicyDocument: trustPolicy(arn(GH)) }));
  });
});
