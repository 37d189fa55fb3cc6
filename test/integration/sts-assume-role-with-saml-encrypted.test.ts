/**
 * Encrypted SAML assertions through the HTTP service with the AWS SDK: IAM's side
 * (AssertionEncryptionMode, AddPrivateKey, RemovePrivateKey, GetSAMLProvider's PrivateKeyList; at
 * most two keys; Required only with a key; keys sealed at rest and in no log or audit row; the
 * provider's SP metadata with the public keys) and AssumeRoleWithSAML's (an EncryptedAssertion
 * made as an IdP makes it, decrypted with either of two keys; Required refuses plaintext; rsa-1_5,
 * tampered ciphertext and an unsigned decrypted assertion refused; a signed Response wrapping an
 * encrypted assertion accepted; rotation through UpdateSAMLProvider).
 */
import { readFileSync } from 'node:fs';
import { CreateRoleCommand, CreateSAMLProviderCommand, DeleteSAMLProviderCommand, GetSAMLProviderCommand, UpdateSAMLProviderCommand, type IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleWithSAMLCommand, type STSClient } from '@aws-sdk/client-sts';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, test } from 'vitest';
import { samlKeyAad } from '../../src/federation/saml/private-key.js';
import { queryAuditEvents } from '../../src/store/audit.js';
import { samlProviderKeys } from '../../src/store/schema.js';
import { refusal } from '../helpers/outcome.js';
import { idpMetadata, testKey } from '../helpers/saml.js';
import { AES128_CBC, encryptAssertion, RSA_1_5, signResponse, spKey, type SpKeyName } from '../helpers/saml-encrypt.js';
import { assertionXml, RECIPIENT, responseXml, signAssertion } from '../helpers/saml-sign.js';
import { type TestService, useService } from '../helpers/service.js';

let svc: TestService;
let iam: IAMClient;
let sts: STSClient;
let acct: string;
useService((s) => {
  ({ svc, iam, acct } = s);
  sts = svc.sts();
});

const KEY1 = spKey('sp-enc-1').privateKey;
const KEY2 = spKey('sp-enc-2').privateKey;
const PKCS1 = readFileSync(new URL('../fixtures/saml/sp-enc-pkcs1.key.pem', import.meta.url), 'utf8');
/** What must never be seen outside the sealed column: a stretch of each key's base64 body. */
const SECRETS = [KEY1, KEY2, PKCS1].map((pem) => pem.split('\n')[5] ?? '');
const METADATA = idpMetadata([testKey('idp-a').certificateBase64]);
const arnOf = (name: string) => `arn:aws:iam::${acct}:saml-provider/${name}`;
const roleArn = (name: string) => `arn:aws:iam::${acct}:role/${name}`;
const get = (name: string) => iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: arnOf(name) }));
const update = (name: string, more: { AssertionEncryptionMode?: 'Required' | 'Allowed'; AddPrivateKey?: string; RemovePrivateKey?: string; SAMLMetadataDocument?: string }) =>
  iam.send(new UpdateSAMLProviderCommand({ SAMLProviderArn: arnOf(name), ...more }));
const create = (name: string, more: { AssertionEncryptionMode?: 'Required' | 'Allowed'; AddPrivateKey?: string } = {}) =>
  iam.send(new CreateSAMLProviderCommand({ Name: name, SAMLMetadataDocument: METADATA, ...more }));
const keyRows = (name: string) => svc.store.db.select().from(samlProviderKeys).where(eq(samlProviderKeys.providerId, arnOf(name)));

describe('IAM: private keys and the encryption mode', () => {
  test('CreateSAMLProvider with a key and Required; GetSAMLProvider lists KeyId and Timestamp, never the key', async () => {
    await create('Sealed', { AssertionEncryptionMode: 'Required', AddPrivateKey: KEY1 });
    const got = await get('Sealed');
    expect(got.AssertionEncryptionMode).toBe('Required');
    expect(got.PrivateKeyList).toHaveLength(1);
    expect(got.PrivateKeyList?.[0]?.KeyId).toMatch(/^[A-Z0-9]{22,64}$/);
    expect(got.PrivateKeyList?.[0]?.Timestamp).toBeInstanceOf(Date);
    expect(JSON.stringify(got)).not.toContain(SECRETS[0]);
  });

  test('the key is sealed at rest, bound to the provider and the KeyId', async () => {
    const [row] = await keyRows('Sealed');
    if (!row) throw new Error('no key row');
    expect(row.keySealed).not.toContain('PRIVATE KEY');
    expect(row.keySealed).not.toContain(SECRETS[0]);
    const opened = svc.keyring.open(row.keySealed, samlKeyAad(arnOf('Sealed'), row.keyId))?.toString('utf8');
    expect(opened).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(opened?.replace(/\s+/g, '')).toBe(KEY1.replace(/\s+/g, ''));
    expect(svc.keyring.open(row.keySealed, samlKeyAad(arnOf('Other'), row.keyId))).toBeUndefined();
  });

  test('a provider without a mode reports Allowed and no keys; PKCS#1 keys are accepted', async () => {
    await create('Plain');
    expect(await get('Plain')).toMatchObject({ AssertionEncryptionMode: 'Allowed', PrivateKeyList: [] });
    await update('Plain', { AddPrivateKey: PKCS1 });
    expect((await get('Plain')).PrivateKeyList).toHaveLength(1);
  });

  test('at most two keys: the third is LimitExceeded and changes nothing; removing one makes room', async () => {
    await create('Two', { AddPrivateKey: KEY1 });
    await update('Two', { AddPrivateKey: KEY2 });
    const two = (await get('Two')).PrivateKeyList ?? [];
    expect(two).toHaveLength(2);
    expect(await refusal(update('Two', { AddPrivateKey: PKCS1 }))).toMatchObject({ code: 'LimitExceeded', status: 409 });
    expect((await get('Two')).PrivateKeyList).toEqual(two);
    await update('Two', { RemovePrivateKey: two[0]?.KeyId ?? '' });
    expect((await get('Two')).PrivateKeyList).toEqual([two[1]]);
    await update('Two', { AddPrivateKey: PKCS1 });
    expect((await get('Two')).PrivateKeyList).toHaveLength(2);
  });

  test('three racing AddPrivateKey calls: two keys, the third LimitExceeded (never three)', async () => {
    await create('Race');
    const results = await Promise.allSettled([KEY1, KEY2, PKCS1].map((key) => update('Race', { AddPrivateKey: key })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect((rejected?.reason as { name?: string } | undefined)?.name).toBe('LimitExceededException');
    expect(await keyRows('Race')).toHaveLength(2);
  });

  test('Required needs a key: on create, on update, and the last key cannot be removed while Required', async () => {
    expect(await refusal(create('NoKey', { AssertionEncryptionMode: 'Required' }))).toMatchObject({ code: 'InvalidInput', status: 400 });
    await create('Later');
    expect(await refusal(update('Later', { AssertionEncryptionMode: 'Required' }))).toMatchObject({ code: 'InvalidInput' });
    expect((await get('Later')).AssertionEncryptionMode).toBe('Allowed');
    await update('Later', { AssertionEncryptionMode: 'Required', AddPrivateKey: KEY1 });
    const [key] = (await get('Later')).PrivateKeyList ?? [];
    expect(await refusal(update('Later', { RemovePrivateKey: key?.KeyId ?? '' }))).toMatchObject({ code: 'InvalidInput' });
    await update('Later', { AssertionEncryptionMode: 'Allowed', RemovePrivateKey: key?.KeyId ?? '' });
    expect(await get('Later')).toMatchObject({ AssertionEncryptionMode: 'Allowed', PrivateKeyList: [] });
  });

  test('refusals: a key that is not an RSA private key, an unknown KeyId, add and remove at once, an empty update, an oversized key', async () => {
    await create('Picky', { AddPrivateKey: KEY1 });
    const [key] = (await get('Picky')).PrivateKeyList ?? [];
    expect(await refusal(update('Picky', { AddPrivateKey: spKey('sp-enc-2').certificate }))).toMatchObject({ code: 'InvalidInput', status: 400 });
    expect(await refusal(update('Picky', { AddPrivateKey: 'not a key' }))).toMatchObject({ code: 'InvalidInput' });
    expect(await refusal(update('Picky', { RemovePrivateKey: 'A'.repeat(32) }))).toMatchObject({ code: 'InvalidInput' });
    expect(await refusal(update('Picky', { AddPrivateKey: KEY2, RemovePrivateKey: key?.KeyId ?? '' }))).toMatchObject({ code: 'InvalidInput' });
    expect(await refusal(update('Picky', {}))).toMatchObject({ code: 'InvalidInput' });
    expect(await refusal(update('Picky', { AddPrivateKey: 'x'.repeat(16385) }))).toMatchObject({ code: 'ValidationError' });
    expect(await refusal(update('Picky', { RemovePrivateKey: 'lowercase-is-not-a-key-id' }))).toMatchObject({ code: 'ValidationError' });
    expect((await get('Picky')).PrivateKeyList).toEqual([key]);
  });

  test('DeleteSAMLProvider deletes its keys', async () => {
    await create('Deleted', { AddPrivateKey: KEY1 });
    expect(await keyRows('Deleted')).toHaveLength(1);
    await iam.send(new DeleteSAMLProviderCommand({ SAMLProviderArn: arnOf('Deleted') }));
    expect(await keyRows('Deleted')).toHaveLength(0);
  });

  test("the provider's SP metadata publishes each key's public half, by SAMLProviderUUID; an unknown one is 404", async () => {
    await create('Published', { AddPrivateKey: KEY1 });
    await update('Published', { AddPrivateKey: KEY2 });
    const got = await get('Published');
    const res = await fetch(`${svc.url}/static/saml/${got.SAMLProviderUUID}/saml-metadata.xml`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('entityID="urn:amazon:webservices"');
    expect(text.match(/<md:KeyDescriptor use="encryption">/g)).toHaveLength(2);
    for (const key of got.PrivateKeyList ?? []) expect(text).toContain(`<ds:KeyName>${key.KeyId}</ds:KeyName>`);
    expect(text).toContain('<ds:Exponent>AQAB</ds:Exponent>');
    expect(text).toContain('Algorithm="http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"');
    expect(text).not.toContain('rsa-1_5');
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    expect((await fetch(`${svc.url}/static/saml/00000000-0000-4000-8000-000000000000/saml-metadata.xml`)).status).toBe(404);
    expect((await fetch(`${svc.url}/static/saml/nope/saml-metadata.xml`)).status).toBe(404);
  });
});

describe('AssumeRoleWithSAML: encrypted assertions', () => {
  let counter = 0;
  const trust = (provider: string) =>
    JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: arnOf(provider) }, Action: 'sts:AssumeRoleWithSAML', Condition: { StringEquals: { 'SAML:aud': RECIPIENT } } }] });
  /** The response for `role` of `provider`, its assertion signed by the IdP (a fresh id each time). */
  const response = (provider: string, role: string, nameId = 'alice') => {
    const now = new Date();
    return responseXml(assertionXml({ id: `_enc${++counter}`, roleValue: `${roleArn(role)},${arnOf(provider)}`, now, nameId }), now);
  };
  const signedEncrypted = (provider: string, role: string, key: SpKeyName = 'sp-enc-1', more: { keyTransport?: string; data?: string } = {}) =>
    encryptAssertion(signAssertion(response(provider, role)), { key, ...more });
  const assume = (provider: string, role: string, xml: string) =>
    sts.send(new AssumeRoleWithSAMLCommand({ RoleArn: roleArn(role), PrincipalArn: arnOf(provider), SAMLAssertion: Buffer.from(xml).toString('base64') }));

  beforeAll(async () => {
    await create('EncAllowed', { AddPrivateKey: KEY1 });
    await update('EncAllowed', { AddPrivateKey: KEY2 });
    await create('EncRequired', { AssertionEncryptionMode: 'Required', AddPrivateKey: KEY1 });
    await create('EncNone');
    for (const p of ['EncAllowed', 'EncRequired', 'EncNone']) await iam.send(new CreateRoleCommand({ RoleName: `${p}Role`, AssumeRolePolicyDocument: trust(p) }));
  });

  test('an encrypted signed assertion is accepted with each of the two keys (rotation), AES-GCM and AES-CBC', async () => {
    expect((await assume('EncAllowed', 'EncAllowedRole', await signedEncrypted('EncAllowed', 'EncAllowedRole', 'sp-enc-1'))).Subject).toBe('alice');
    expect((await assume('EncAllowed', 'EncAllowedRole', await signedEncrypted('EncAllowed', 'EncAllowedRole', 'sp-enc-2'))).Subject).toBe('alice');
    expect((await assume('EncAllowed', 'EncAllowedRole', await signedEncrypted('EncAllowed', 'EncAllowedRole', 'sp-enc-2', { data: AES128_CBC }))).Subject).toBe('alice');
  });

  test('Allowed also takes a plaintext assertion; Required refuses it and takes an encrypted one', async () => {
    expect((await assume('EncAllowed', 'EncAllowedRole', signAssertion(response('EncAllowed', 'EncAllowedRole')))).Subject).toBe('alice');
    expect(await refusal(assume('EncRequired', 'EncRequiredRole', signAssertion(response('EncRequired', 'EncRequiredRole'))))).toMatchObject({ code: 'InvalidIdentityToken', status: 400 });
    expect((await assume('EncRequired', 'EncRequiredRole', await signedEncrypted('EncRequired', 'EncRequiredRole'))).Subject).toBe('alice');
  });

  test('a provider without keys refuses an encrypted assertion', async () => {
    expect(await refusal(assume('EncNone', 'EncNoneRole', await signedEncrypted('EncNone', 'EncNoneRole')))).toMatchObject({ code: 'InvalidIdentityToken', status: 400 });
  });

  test('rsa-1_5 key transport is refused', async () => {
    const xml = await signedEncrypted('EncAllowed', 'EncAllowedRole', 'sp-enc-1', { keyTransport: RSA_1_5 });
    expect(await refusal(assume('EncAllowed', 'EncAllowedRole', xml))).toMatchObject({ code: 'InvalidIdentityToken', message: expect.stringContaining('rsa-1_5') });
  });

  test('tampered ciphertext is refused', async () => {
    const xml = await signedEncrypted('EncAllowed', 'EncAllowedRole');
    const values = [...xml.matchAll(/<xenc:CipherValue>([^<]+)<\/xenc:CipherValue>/g)];
    const last = values.at(-1);
    if (!last || last.index === undefined) throw new Error('no CipherValue');
    const bytes = Buffer.from(last[1] ?? '', 'base64');
    bytes[100] = (bytes[100] ?? 0) ^ 0x20;
    const tampered = `${xml.slice(0, last.index)}<xenc:CipherValue>${bytes.toString('base64')}</xenc:CipherValue>${xml.slice(last.index + last[0].length)}`;
    expect(await refusal(assume('EncAllowed', 'EncAllowedRole', tampered))).toMatchObject({ code: 'InvalidIdentityToken' });
  });

  test('an encrypted but unsigned assertion (in an unsigned Response) is refused', async () => {
    const xml = await encryptAssertion(response('EncAllowed', 'EncAllowedRole'));
    expect(await refusal(assume('EncAllowed', 'EncAllowedRole', xml))).toEqual({ code: 'InvalidIdentityToken', message: 'Response signature invalid', status: 400 });
  });

  test('a signed Response wrapping an encrypted assertion is accepted', async () => {
    const xml = signResponse(await encryptAssertion(response('EncRequired', 'EncRequiredRole', 'bob')));
    expect((await assume('EncRequired', 'EncRequiredRole', xml)).Subject).toBe('bob');
  });

  test('an encrypted assertion is used once', async () => {
    const xml = await signedEncrypted('EncAllowed', 'EncAllowedRole');
    await assume('EncAllowed', 'EncAllowedRole', xml);
    expect(await refusal(assume('EncAllowed', 'EncAllowedRole', xml))).toMatchObject({ code: 'InvalidIdentityToken' });
  });

  test('rotation through IAM: once the old key is removed, what was encrypted to it is refused, and the new key still works', async () => {
    await create('Rotated', { AddPrivateKey: KEY1 });
    await iam.send(new CreateRoleCommand({ RoleName: 'RotatedRole', AssumeRolePolicyDocument: trust('Rotated') }));
    expect((await assume('Rotated', 'RotatedRole', await signedEncrypted('Rotated', 'RotatedRole', 'sp-enc-1'))).Subject).toBe('alice');
    await update('Rotated', { AddPrivateKey: KEY2 });
    const [old] = (await get('Rotated')).PrivateKeyList ?? [];
    await update('Rotated', { RemovePrivateKey: old?.KeyId ?? '' });
    expect(await refusal(assume('Rotated', 'RotatedRole', await signedEncrypted('Rotated', 'RotatedRole', 'sp-enc-1')))).toMatchObject({ code: 'InvalidIdentityToken' });
    expect((await assume('Rotated', 'RotatedRole', await signedEncrypted('Rotated', 'RotatedRole', 'sp-enc-2'))).Subject).toBe('alice');
  });
});

describe('no key text anywhere but the sealed column', () => {
  test('neither the logs nor any audit row carry a private key', async () => {
    const logs = svc.logs.join('\n');
    const events = await queryAuditEvents(svc.store.db, { accountId: acct, limit: 10_000 });
    expect(events.some((e) => e.action === 'iam:UpdateSAMLProvider')).toBe(true);
    const audit = JSON.stringify(events);
    for (const secret of SECRETS) {
      expect(secret.length).toBeGreaterThan(40);
      expect(logs).not.toContain(secret);
      expect(audit).not.toContain(secret);
    }
    // The request is in the trail, its key hidden as CloudTrail hides it.
    expect(audit).toContain('HIDDEN_DUE_TO_SECURITY_REASONS');
    expect(logs).not.toContain('PRIVATE KEY');
    expect(audit).not.toContain('PRIVATE KEY');
  });
});
