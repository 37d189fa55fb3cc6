/**
 * AssumeRoleWithSAML through @aws-sdk/client-sts (unsigned, as the SDK sends it), with responses
 * signed by the test IdP keys (xml-crypto): the result's fields as AWS computes them, the Role
 * pair, the trust policy with the SAML:* keys, SessionDuration and SessionNotOnOrAfter, session
 * tags and SourceIdentity, the keys later calls carry, the replay store (also through a second
 * node), and the audit event. The attack forms and the real IdP are in
 * sts-assume-role-with-saml-attacks.test.ts.
 */
import { createHash } from 'node:crypto';
import { CreateRoleCommand, CreateSAMLProviderCommand, ListRolesCommand, PutRolePolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleWithSAMLCommand, GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { beforeAll, describe, expect, test } from 'vitest';
import { queryAuditEvents } from '../../src/store/audit.js';
import { refusal } from '../helpers/outcome.js';
import { idpMetadata, testKey, TEST_ENTITY_ID } from '../helpers/saml.js';
import { assertionXml, attribute, RECIPIENT, responseXml, signAssertion, type AssertionOptions } from '../helpers/saml-sign.js';
import { credentialsOf, type TestService, useService } from '../helpers/service.js';

let svc: TestService;
let iam: IAMClient;
let sts: STSClient;
let acct: string;
useService((s) => {
  ({ svc, iam, acct } = s);
  sts = svc.sts();
});

const PROVIDER = 'Corp';
const providerArn = () => `arn:aws:iam::${acct}:saml-provider/${PROVIDER}`;
const roleArn = (name: string) => `arn:aws:iam::${acct}:role/${name}`;
let counter = 0;

/** A signed response from the provider for `role` (a fresh assertion id each time). */
function signedResponse(role: string, options: AssertionOptions = {}): string {
  const now = new Date();
  const xml = responseXml(assertionXml({ id: `_a${++counter}`, roleValue: `${roleArn(role)},${providerArn()}`, now, ...options }), now);
  return Buffer.from(signAssertion(xml)).toString('base64');
}

/** A response from `assertion` options as given (time: now), signed by `key`. */
function signedWith(options: AssertionOptions, key: 'idp-a' | 'idp-b' = 'idp-a', extraAttributes = ''): string {
  const now = new Date();
  const xml = responseXml(assertionXml({ now, ...options }).replace('</saml:AttributeStatement>', `${extraAttributes}</saml:AttributeStatement>`), now);
  return Buffer.from(signAssertion(xml, { key })).toString('base64');
}

/** Seconds from now until the credentials expire, to the nearest 10 (the call takes a moment). */
function lifetime(out: { Credentials?: { Expiration?: Date | undefined } | undefined }): number {
  return Math.round(((out.Credentials?.Expiration?.getTime() ?? 0) - Date.now()) / 10_000) * 10;
}

const assume = (role: string, assertion: string, more: { DurationSeconds?: number; Policy?: string } = {}, client: STSClient = sts) =>
  client.send(new AssumeRoleWithSAMLCommand({ RoleArn: roleArn(role), PrincipalArn: providerArn(), SAMLAssertion: assertion, ...more }));

function trust(conditions: object = {}, actions: string[] = ['sts:AssumeRoleWithSAML']): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Federated: providerArn() }, Action: actions, Condition: { StringEquals: { 'SAML:aud': RECIPIENT }, ...conditions } }],
  });
}

async function role(name: string, trustPolicy = trust(), maxSessionDuration?: number): Promise<void> {
  await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustPolicy, ...(maxSessionDuration ? { MaxSessionDuration: maxSessionDuration } : {}) }));
}

beforeAll(async () => {
  await iam.send(new CreateSAMLProviderCommand({ Name: PROVIDER, SAMLMetadataDocument: idpMetadata([testKey('idp-a').certificateBase64, testKey('idp-b').certificateBase64]) }));
  await role('SamlRole');
});

describe('a signed response trades for credentials', () => {
  test("the result's fields are AWS's: Subject, SubjectType, Issuer, Audience (the Recipient), NameQualifier, AssumedRoleUser", async () => {
    const out = await assume('SamlRole', signedResponse('SamlRole'));
    expect(out.Subject).toBe('alice');
    expect(out.SubjectType).toBe('persistent');
    expect(out.Issuer).toBe(TEST_ENTITY_ID);
    expect(out.Audience).toBe(RECIPIENT);
    expect(out.NameQualifier).toBe(createHash('sha1').update(`${TEST_ENTITY_ID}${acct}/${PROVIDER}`).digest('base64'));
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${acct}:assumed-role/SamlRole/alice`);
    expect(out.PackedPolicySize).toBeUndefined();
    // a one-hour session by default
    expect(lifetime(out)).toBe(3600);
    const who = await svc.sts(credentialsOf(out.Credentials)).send(new GetCallerIdentityCommand({}));
    expect(who.Arn).toBe(`arn:aws:sts::${acct}:assumed-role/SamlRole/alice`);
  });

  test('the Role pair may name the provider first; a value naming another pair grants nothing', async () => {
    const reversed = signedResponse('SamlRole', { roleValue: `${providerArn()},${roleArn('SamlRole')}` });
    expect((await assume('SamlRole', reversed)).Subject).toBe('alice');
    const other = signedResponse('SamlRole', { roleValue: `${roleArn('OtherRole')},${providerArn()}` });
    expect(await refusal(assume('SamlRole', other))).toMatchObject({ code: 'InvalidIdentityToken', status: 400 });
  });

  test('a signature by the second certificate of the provider (rotation) verifies', async () => {
    const out = await assume('SamlRole', signedWith({ id: `_rot${++counter}`, roleValue: `${roleArn('SamlRole')},${providerArn()}` }, 'idp-b'));
    expect(out.Subject).toBe('alice');
  });
});

describe('the trust policy and the SAML keys', () => {
  test('SAML:sub, SAML:sub_type, SAML:iss, SAML:namequalifier and SAML:doc are the assertion’s; a mismatch is AccessDenied and does not burn the assertion', async () => {
    const qualifier = createHash('sha1').update(`${TEST_ENTITY_ID}${acct}/${PROVIDER}`).digest('base64');
    await role('OnlyBob', trust({ StringLike: { 'SAML:sub': 'bob' } }));
    await role(
      'Exact',
      trust({ StringLike: { 'SAML:sub': 'alice', 'SAML:sub_type': 'persistent', 'SAML:iss': TEST_ENTITY_ID, 'SAML:namequalifier': qualifier, 'SAML:doc': `${acct}/${PROVIDER}` } }),
    );
    const assertion = signedWith({ id: '_both', roleValue: `${roleArn('OnlyBob')},${providerArn()}` }, 'idp-a', attribute('https://aws.amazon.com/SAML/Attributes/Role', `${roleArn('Exact')},${providerArn()}`));
    expect(await refusal(assume('OnlyBob', assertion))).toEqual({ code: 'AccessDenied', message: 'Not authorized to perform sts:AssumeRoleWithSAML', status: 403 });
    expect((await assume('Exact', assertion)).Subject).toBe('alice');
  });

  test('SAML:aud is the Recipient, not the Audience element', async () => {
    await role('AudIsAudience', trust({ StringEquals: { 'SAML:aud': 'urn:amazon:webservices' } }));
    expect(await refusal(assume('AudIsAudience', signedResponse('AudIsAudience')))).toMatchObject({ code: 'AccessDenied' });
  });

  test('eduPerson attributes are multivalued keys', async () => {
    await role('Staff', trust({ 'ForAnyValue:StringEquals': { 'SAML:edupersonaffiliation': 'staff' } }));
    const staff = signedResponse('Staff', { attributes: attribute('urn:oid:1.3.6.1.4.1.5923.1.1.1.1', 'member', 'staff') });
    expect((await assume('Staff', staff)).Subject).toBe('alice');
    const student = signedResponse('Staff', { attributes: attribute('urn:oid:1.3.6.1.4.1.5923.1.1.1.1', 'member', 'student') });
    expect(await refusal(assume('Staff', student))).toMatchObject({ code: 'AccessDenied' });
  });

  test('a role in another account is refused even when the assertion names it', async () => {
    const other = await svc.newAccount();
    const foreign = `arn:aws:iam::${other.accountId}:role/SamlRole`;
    await svc.iam({ accessKeyId: other.accessKeyId, secretAccessKey: other.secretAccessKey }).send(new CreateRoleCommand({ RoleName: 'SamlRole', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${other.accountId}:root` }, Action: 'sts:AssumeRole' }] }) }));
    const assertion = signedWith({ id: '_foreign', roleValue: `${foreign},${providerArn()}` });
    expect(await refusal(sts.send(new AssumeRoleWithSAMLCommand({ RoleArn: foreign, PrincipalArn: providerArn(), SAMLAssertion: assertion })))).toMatchObject({ code: 'AccessDenied', status: 403 });
  });
});

describe('duration, tags, source identity', () => {
  test('SessionDuration only shortens; SessionNotOnOrAfter caps; DurationSeconds past the role maximum is a ValidationError', async () => {
    await role('Long', trust(), 43200);
    const shortened = await assume('Long', signedResponse('Long', { attributes: attribute('https://aws.amazon.com/SAML/Attributes/SessionDuration', '1800') }), { DurationSeconds: 7200 });
    expect(lifetime(shortened)).toBe(1800);
    const notLonger = await assume('Long', signedResponse('Long', { attributes: attribute('https://aws.amazon.com/SAML/Attributes/SessionDuration', '43200') }), { DurationSeconds: 3600 });
    expect(lifetime(notLonger)).toBe(3600);
    const capped = await assume('Long', signedResponse('Long', { sessionSeconds: 1200 }), { DurationSeconds: 7200 });
    expect(lifetime(capped)).toBe(1200);
    expect(await refusal(assume('SamlRole', signedResponse('SamlRole'), { DurationSeconds: 7200 }))).toMatchObject({ code: 'ValidationError' });
    expect(await refusal(assume('Long', signedResponse('Long', { attributes: attribute('https://aws.amazon.com/SAML/Attributes/SessionDuration', '60') })))).toMatchObject({ code: 'InvalidIdentityToken' });
  });

  test('PrincipalTag attributes need sts:TagSession; SourceIdentity needs sts:SetSourceIdentity', async () => {
    const tagged = { attributes: `${attribute('https://aws.amazon.com/SAML/Attributes/PrincipalTag:team', 'blue')}${attribute('https://aws.amazon.com/SAML/Attributes/TransitiveTagKeys', 'team')}` };
    expect(await refusal(assume('SamlRole', signedResponse('SamlRole', tagged)))).toMatchObject({ code: 'AccessDenied', message: 'Not authorized to perform sts:TagSession' });
    await role('Tagging', trust({}, ['sts:AssumeRoleWithSAML', 'sts:TagSession', 'sts:SetSourceIdentity']));
    const out = await assume('Tagging', signedResponse('Tagging', { attributes: `${tagged.attributes}${attribute('https://aws.amazon.com/SAML/Attributes/SourceIdentity', 'alice@corp')}` }));
    expect(out.SourceIdentity).toBe('alice@corp');
    expect(out.PackedPolicySize).toBeGreaterThan(0);
    expect(await refusal(assume('SamlRole', signedResponse('SamlRole', { attributes: attribute('https://aws.amazon.com/SAML/Attributes/SourceIdentity', 'alice@corp') })))).toMatchObject({ code: 'AccessDenied', message: 'Not authorized to perform sts:SetSourceIdentity' });
  });

  test('PrincipalTag attributes follow the rules of the request\'s own Tags (found in review: they bypassed them)', async () => {
    await role('TagRules', trust({}, ['sts:AssumeRoleWithSAML', 'sts:TagSession']));
    const tag = (key: string, value: string) => attribute(`https://aws.amazon.com/SAML/Attributes/PrincipalTag:${key}`, value);
    const fiftyOne = Array.from({ length: 51 }, (_, i) => tag(`k${i}`, 'v')).join('');
    for (const attributes of [fiftyOne, tag('k'.repeat(129), 'v'), tag('k', 'v'.repeat(257)), tag('a<b', 'v')]) {
      expect(await refusal(assume('TagRules', signedResponse('TagRules', { attributes })))).toMatchObject({ code: 'InvalidIdentityToken', message: expect.stringContaining('PrincipalTag') });
    }
    const fifty = Array.from({ length: 50 }, (_, i) => tag(`k${i}`, 'v')).join('');
    await expect(assume('TagRules', signedResponse('TagRules', { attributes: fifty }))).resolves.toMatchObject({ PackedPolicySize: expect.any(Number) });
  });

  test('RoleSessionName is required and must be a session name', async () => {
    expect(await refusal(assume('SamlRole', signedResponse('SamlRole', { roleSessionName: null })))).toMatchObject({ code: 'InvalidIdentityToken' });
    expect(await refusal(assume('SamlRole', signedResponse('SamlRole', { roleSessionName: 'a b' })))).toMatchObject({ code: 'InvalidIdentityToken' });
  });
});

describe('the session later', () => {
  test('identity policies see aws:FederatedProvider and saml:sub, saml:sub_type, saml:namequalifier', async () => {
    await role('Reader');
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'Reader',
        PolicyName: 'only-alice',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*', Condition: { StringEquals: { 'saml:sub': 'alice', 'saml:sub_type': 'persistent', 'aws:FederatedProvider': providerArn() } } }] }),
      }),
    );
    const alice = await assume('Reader', signedResponse('Reader'));
    await expect(svc.iam(credentialsOf(alice.Credentials)).send(new ListRolesCommand({}))).resolves.toBeDefined();
    const bob = await assume('Reader', signedResponse('Reader', { nameId: 'bob' }));
    expect(await refusal(svc.iam(credentialsOf(bob.Credentials)).send(new ListRolesCommand({})))).toMatchObject({ code: 'AccessDenied' });
  });

  test('the issuance is audited with the provider and subject', async () => {
    const out = await assume('SamlRole', signedResponse('SamlRole', { nameId: 'audited' }));
    const events = await queryAuditEvents(svc.store.db, { accountId: acct, action: 'sts:AssumeRoleWithSAML', limit: 100 });
    const details = events.map((e) => JSON.parse(e.details ?? '{}') as { accessKeyId?: string });
    expect(details.find((d) => d.accessKeyId === out.Credentials?.AccessKeyId)).toMatchObject({ samlProvider: providerArn(), samlSubject: 'audited', samlSubjectType: 'persistent' });
  });
});

describe('SHA-1', () => {
  test('refused unless the provider is listed in SAML_ALLOW_SHA1_PROVIDERS, then accepted for that provider only', async () => {
    await iam.send(new CreateSAMLProviderCommand({ Name: 'Legacy', SAMLMetadataDocument: idpMetadata([testKey('idp-a').certificateBase64]) }));
    const legacy = `arn:aws:iam::${acct}:saml-provider/Legacy`;
    await role('LegacyRole', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: legacy }, Action: 'sts:AssumeRoleWithSAML' }] }));
    const sha1 = (id: string, provider: string) => {
      const now = new Date();
      const xml = responseXml(assertionXml({ now, id, roleValue: `${roleArn('LegacyRole')},${provider}` }), now);
      return Buffer.from(signAssertion(xml, { signatureAlgorithm: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1', digestAlgorithm: 'http://www.w3.org/2000/09/xmldsig#sha1' })).toString('base64');
    };
    const call = (client: STSClient, provider: string, assertion: string) => client.send(new AssumeRoleWithSAMLCommand({ RoleArn: roleArn('LegacyRole'), PrincipalArn: provider, SAMLAssertion: assertion }));
    expect(await refusal(call(sts, legacy, sha1('_sha1-default', legacy)))).toMatchObject({ code: 'InvalidIdentityToken', message: expect.stringContaining('rsa-sha1 is not accepted') });
    const node = await svc.node({ saml: { allowSha1Providers: [legacy] } });
    expect((await call(node.sts(), legacy, sha1('_sha1-listed', legacy))).Subject).toBe('alice');
    // Another provider on the same node still may not.
    expect(await refusal(call(node.sts(), providerArn(), sha1('_sha1-other', providerArn())))).toMatchObject({ code: 'InvalidIdentityToken' });
  });
});

describe('refusals are audited in the role’s account', () => {
  test('a trust-policy refusal and a bad signature leave a deny event with the code and the role, and no assertion text; a made-up account leaves none', async () => {
    await role('AuditedRefusal', trust({ StringLike: { 'SAML:sub': 'nobody' } }));
    const refused = signedResponse('AuditedRefusal', { nameId: 'refused-user' });
    expect(await refusal(assume('AuditedRefusal', refused))).toMatchObject({ code: 'AccessDenied' });
    const forged = signedWith({ id: '_forged-audit', roleValue: `${roleArn('AuditedRefusal')},${providerArn()}` }).replace(/.{8}$/, 'AAAAAAA=');
    expect(await refusal(assume('AuditedRefusal', forged))).toMatchObject({ code: 'InvalidIdentityToken' });
    const stranger = '999999999999';
    expect(await refusal(sts.send(new AssumeRoleWithSAMLCommand({ RoleArn: `arn:aws:iam::${stranger}:role/X`, PrincipalArn: providerArn(), SAMLAssertion: refused })))).toMatchObject({ code: 'InvalidIdentityToken' });

    const events = await queryAuditEvents(svc.store.db, { accountId: acct, action: 'sts:AssumeRoleWithSAML', limit: 500 });
    const denied = events.filter((e) => e.decision === 'deny' && e.resource === roleArn('AuditedRefusal'));
    expect(denied.map((e) => e.errorCode).sort()).toEqual(['AccessDenied', 'InvalidIdentityToken']);
    for (const e of denied) {
      expect(e.principalArn).toBeNull();
      expect(e.details ?? '').not.toContain(refused.slice(0, 40));
    }
    expect(await queryAuditEvents(svc.store.db, { accountId: stranger, limit: 10 })).toEqual([]);
  });
});

describe('an assertion is used once', () => {
  test('a second use is refused, on this node and on another', async () => {
    const assertion = signedResponse('SamlRole');
    await assume('SamlRole', assertion);
    expect(await refusal(assume('SamlRole', assertion))).toMatchObject({ code: 'InvalidIdentityToken', status: 400 });
    const node = await svc.node({});
    expect(await refusal(assume('SamlRole', assertion, {}, node.sts()))).toMatchObject({ code: 'InvalidIdentityToken' });
  });

  test('a call refused while issuing (a session policy that does not exist) does not burn the assertion', async () => {
    const assertion = signedResponse('SamlRole');
    const missing = await refusal(sts.send(new AssumeRoleWithSAMLCommand({ RoleArn: roleArn('SamlRole'), PrincipalArn: providerArn(), SAMLAssertion: assertion, PolicyArns: [{ arn: `arn:aws:iam::${acct}:policy/NoSuchPolicy` }] })));
    expect(missing.status).toBeGreaterThanOrEqual(400);
    expect(missing.status).toBeLessThan(500);
    expect((await assume('SamlRole', assertion)).Subject).toBe('alice');
  });

  test('of many racing calls with one assertion, exactly one gets credentials', async () => {
    const assertion = signedResponse('SamlRole');
    const node = await svc.node({});
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => assume('SamlRole', assertion, {}, i % 2 === 0 ? sts : node.sts())));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });
});

describe('the request', () => {
  test('a PrincipalArn that is not a SAML provider is a ValidationError; an unknown provider is InvalidIdentityToken', async () => {
    const assertion = signedResponse('SamlRole');
    expect(await refusal(sts.send(new AssumeRoleWithSAMLCommand({ RoleArn: roleArn('SamlRole'), PrincipalArn: roleArn('SamlRole'), SAMLAssertion: assertion })))).toMatchObject({ code: 'ValidationError', status: 400 });
    expect(await refusal(sts.send(new AssumeRoleWithSAMLCommand({ RoleArn: roleArn('SamlRole'), PrincipalArn: `arn:aws:iam::${acct}:saml-provider/Nobody`, SAMLAssertion: assertion })))).toMatchObject({ code: 'InvalidIdentityToken', status: 400 });
  });

  test('a provider whose metadata validUntil has passed vouches for nobody', async () => {
    await iam.send(new CreateSAMLProviderCommand({ Name: 'Expired', SAMLMetadataDocument: idpMetadata([testKey('idp-a').certificateBase64], { validUntil: '2020-01-01T00:00:00Z' }) }));
    const expiredArn = `arn:aws:iam::${acct}:saml-provider/Expired`;
    const assertion = signedWith({ id: '_expired-provider', roleValue: `${roleArn('SamlRole')},${expiredArn}` });
    expect(await refusal(sts.send(new AssumeRoleWithSAMLCommand({ RoleArn: roleArn('SamlRole'), PrincipalArn: expiredArn, SAMLAssertion: assertion })))).toMatchObject({ code: 'InvalidIdentityToken', status: 400 });
  });

  test('the SP metadata names the entity id and the accepted Recipient', async () => {
    const res = await fetch(`${svc.url}/static/saml-metadata.xml`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('entityID="urn:amazon:webservices"');
    expect(text).toContain(`Location="${RECIPIENT}"`);
  });
});
