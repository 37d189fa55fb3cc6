/**
 * IAM SAML providers through the HTTP service with the AWS SDK: every operation, the metadata
 * rules (one IdP EntityDescriptor, at least one and at most 10 signing certificates), tags,
 * GetAccountSummary's `Providers` (with OIDC providers), and provider ARNs as `Federated`
 * principals in trust policies (they must exist).
 */
import {
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  CreateSAMLProviderCommand,
  DeleteSAMLProviderCommand,
  GetAccountSummaryCommand,
  GetSAMLProviderCommand,
  ListSAMLProvidersCommand,
  ListSAMLProviderTagsCommand,
  TagSAMLProviderCommand,
  UntagSAMLProviderCommand,
  UpdateSAMLProviderCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { describe, expect, test } from 'vitest';
import { findSamlProvider } from '../../src/store/saml-providers.js';
import { idpMetadata, testKey, TEST_ENTITY_ID } from '../helpers/saml.js';
import { type TestService, useService } from '../helpers/service.js';

let svc: TestService;
let iam: IAMClient;
let acct: string;
useService((s) => ({ svc, iam, acct } = s));

const A = testKey('idp-a').certificateBase64;
const B = testKey('idp-b').certificateBase64;
const arnOf = (name: string) => `arn:aws:iam::${acct}:saml-provider/${name}`;
const create = (name: string, doc = idpMetadata([A]), more: { Tags?: { Key: string; Value: string }[] } = {}) =>
  iam.send(new CreateSAMLProviderCommand({ Name: name, SAMLMetadataDocument: doc, ...more }));
const get = (name: string) => iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: arnOf(name) }));
const trustPolicy = (federated: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: federated }, Action: 'sts:AssumeRoleWithSAML' }] });

describe('create, get, list, update, delete', () => {
  test('CreateSAMLProvider returns the ARN and tags; Get shows the document, dates, UUID and tags', async () => {
    const doc = idpMetadata([A], { validUntil: '2030-01-01T00:00:00Z' });
    const out = await create('Corp', doc, { Tags: [{ Key: 'team', Value: 'a' }] });
    expect(out.SAMLProviderArn).toBe(arnOf('Corp'));
    expect(out.Tags).toEqual([{ Key: 'team', Value: 'a' }]);
    const got = await get('Corp');
    expect(got.SAMLMetadataDocument).toBe(doc);
    expect(got.SAMLProviderUUID).toMatch(/^[0-9a-f-]{36}$/);
    expect(got.CreateDate).toBeInstanceOf(Date);
    expect(got.ValidUntil).toEqual(new Date('2030-01-01T00:00:00Z'));
    expect(got.Tags).toEqual([{ Key: 'team', Value: 'a' }]);
    const row = await findSamlProvider(svc.store.db, acct, arnOf('Corp'));
    expect(row).toMatchObject({ entityId: TEST_ENTITY_ID, certificates: [A] });
  });

  test('ListSAMLProviders lists Arn, CreateDate and ValidUntil', async () => {
    await create('Listed');
    const list = await iam.send(new ListSAMLProvidersCommand({}));
    const entry = list.SAMLProviderList?.find((p) => p.Arn === arnOf('Listed'));
    expect(entry?.CreateDate).toBeInstanceOf(Date);
  });

  test('a name is used once per account: EntityAlreadyExists', async () => {
    await create('Twice');
    await expect(create('Twice')).rejects.toMatchObject({ name: 'EntityAlreadyExistsException' });
  });

  test('UpdateSAMLProvider replaces the metadata: certificates rotate (both kept, then only the new one)', async () => {
    await create('Rotating');
    await iam.send(new UpdateSAMLProviderCommand({ SAMLProviderArn: arnOf('Rotating'), SAMLMetadataDocument: idpMetadata([A, B]) }));
    expect((await findSamlProvider(svc.store.db, acct, arnOf('Rotating')))?.certificates).toEqual([A, B]);
    const out = await iam.send(new UpdateSAMLProviderCommand({ SAMLProviderArn: arnOf('Rotating'), SAMLMetadataDocument: idpMetadata([B]) }));
    expect(out.SAMLProviderArn).toBe(arnOf('Rotating'));
    expect((await findSamlProvider(svc.store.db, acct, arnOf('Rotating')))?.certificates).toEqual([B]);
    expect((await get('Rotating')).SAMLMetadataDocument).toBe(idpMetadata([B]));
  });

  test('DeleteSAMLProvider removes it; Get, Update and Delete then fail with NoSuchEntity', async () => {
    await create('Gone');
    await iam.send(new DeleteSAMLProviderCommand({ SAMLProviderArn: arnOf('Gone') }));
    await expect(get('Gone')).rejects.toMatchObject({ name: 'NoSuchEntityException', message: `Manifest not found for arn ${arnOf('Gone')}` });
    await expect(iam.send(new UpdateSAMLProviderCommand({ SAMLProviderArn: arnOf('Gone'), SAMLMetadataDocument: idpMetadata([A]) }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    await expect(iam.send(new DeleteSAMLProviderCommand({ SAMLProviderArn: arnOf('Gone') }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });
});

describe('the metadata document', () => {
  const refused: [string, () => string][] = [
    ['not XML', () => 'x'.repeat(1200)],
    ['an EntitiesDescriptor', () => idpMetadata([A]).replaceAll('md:EntityDescriptor', 'md:EntitiesDescriptor')],
    ['no signing certificate', () => idpMetadata([]).replace('</md:EntityDescriptor>', `<!-- ${'x'.repeat(400)} -->\n</md:EntityDescriptor>`)],
    ['no IDPSSODescriptor (an SP)', () => idpMetadata([A]).replaceAll('md:IDPSSODescriptor', 'md:SPSSODescriptor')],
    ['two IDPSSODescriptors', () => idpMetadata([A], { extra: `<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/>` })],
    ['a certificate that is not X.509', () => idpMetadata(['QUJD'.repeat(100)])],
    ['a DTD', () => `<!DOCTYPE x [<!ENTITY a "b">]>\n${idpMetadata([A]).replace('<?xml version="1.0" encoding="UTF-8"?>', '')}`],
  ];
  test.each(refused)('refuses %s with InvalidInput "Could not parse metadata"', async (_, doc) => {
    await expect(create('Bad', doc())).rejects.toMatchObject({ name: 'InvalidInputException', message: expect.stringMatching(/^Could not parse metadata/) });
  });

  test('a document shorter than 1,000 characters is refused by the model (ValidationError)', async () => {
    await expect(create('Short', '<md:EntityDescriptor/>')).rejects.toMatchObject({ name: 'ValidationError' });
  });

  test('a certificate listed again counts once (11 listings of two certificates are two; the 11th distinct one is LimitExceeded, test/federation/saml/metadata.test.ts)', async () => {
    await create('TwoOfEleven', idpMetadata(Array.from({ length: 11 }, (_, i) => (i % 2 === 0 ? A : B))));
    expect((await findSamlProvider(svc.store.db, acct, arnOf('TwoOfEleven')))?.certificates).toEqual([A, B]);
  });

  test('AssertionEncryptionMode Required without a private key is refused (keys and modes: sts-assume-role-with-saml-encrypted.test.ts)', async () => {
    await expect(iam.send(new CreateSAMLProviderCommand({ Name: 'Enc', SAMLMetadataDocument: idpMetadata([A]), AssertionEncryptionMode: 'Required' }))).rejects.toMatchObject({
      name: 'InvalidInputException',
    });
  });
});

describe('tags, account summary, trust policies', () => {
  test('Tag/Untag/ListSAMLProviderTags', async () => {
    await create('Tagged');
    await iam.send(new TagSAMLProviderCommand({ SAMLProviderArn: arnOf('Tagged'), Tags: [{ Key: 'k', Value: 'v' }, { Key: 'j', Value: 'w' }] }));
    await iam.send(new UntagSAMLProviderCommand({ SAMLProviderArn: arnOf('Tagged'), TagKeys: ['j'] }));
    const tags = await iam.send(new ListSAMLProviderTagsCommand({ SAMLProviderArn: arnOf('Tagged') }));
    expect(tags.Tags).toEqual([{ Key: 'k', Value: 'v' }]);
  });

  test('GetAccountSummary counts SAML and OIDC providers together as Providers', async () => {
    const before = (await iam.send(new GetAccountSummaryCommand({}))).SummaryMap?.Providers ?? 0;
    await create('Counted');
    await iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://counted.example.com', ClientIDList: ['x'] }));
    expect((await iam.send(new GetAccountSummaryCommand({}))).SummaryMap?.Providers).toBe(before + 2);
  });

  test('a trust policy may name an existing SAML provider as Federated', async () => {
    await create('Trusted');
    await iam.send(new CreateRoleCommand({ RoleName: 'TrustsSamlProvider', AssumeRolePolicyDocument: trustPolicy(arnOf('Trusted')) }));
  });

  test('one that does not exist is refused: Invalid principal in policy: "Federated":ARN', async () => {
    await expect(iam.send(new CreateRoleCommand({ RoleName: 'TrustsMissing', AssumeRolePolicyDocument: trustPolicy(arnOf('Missing')) }))).rejects.toMatchObject({
      name: 'MalformedPolicyDocumentException',
      message: `Invalid principal in policy: "Federated":"${arnOf('Missing')}"`,
    });
  });
});
