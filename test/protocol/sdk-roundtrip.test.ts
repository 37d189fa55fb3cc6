/**
 * Rendering, checked by the real AWS SDK's deserialiser (and parsing, by its serialiser): the
 * clients below talk to src/protocol through an in-process request handler.
 */
import { GetUserCommand, IAMServiceException, ListUsersCommand, SimulateCustomPolicyCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSServiceException } from '@aws-sdk/client-sts';
import { describe, expect, test } from 'vitest';
import { AwsError } from '../../src/errors.js';
import type { DecodedRequest } from '../../src/protocol/index.js';
import { iamClient, stsClient } from './sdk-harness.js';

const EXPIRATION = new Date('2026-01-02T03:04:05.000Z');
const CREATED = new Date('2024-05-06T07:08:09.123Z');

describe('STS through @aws-sdk/client-sts', () => {
  test('AssumeRole: the SDK request parses into camelCase input, and our XML parses back', async () => {
    let seen: DecodedRequest | undefined;
    const client = stsClient((req) => {
      seen = req;
      return {
        credentials: { accessKeyId: 'ASIAEXAMPLE123456789', secretAccessKey: 's3cr3t<&>', sessionToken: 'tok+/=', expiration: EXPIRATION },
        assumedRoleUser: { assumedRoleId: 'AROAEXAMPLE:sess', arn: 'arn:aws:sts::123456789012:assumed-role/r/sess' },
        packedPolicySize: 6,
        sourceIdentity: 'alice',
      };
    });
    const out = await client.send(new AssumeRoleCommand({
      RoleArn: 'arn:aws:iam::123456789012:role/r',
      RoleSessionName: 'sess',
      DurationSeconds: 900,
      PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }, { arn: 'arn:aws:iam::aws:policy/Billing' }],
      Tags: [{ Key: 'team', Value: 'blue' }, { Key: 'cost', Value: '42' }],
      TransitiveTagKeys: ['team'],
      SourceIdentity: 'alice',
    }));
    expect(seen?.operation.name).toBe('AssumeRole');
    expect(seen?.input).toEqual({
      roleArn: 'arn:aws:iam::123456789012:role/r',
      roleSessionName: 'sess',
      durationSeconds: 900,
      policyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }, { arn: 'arn:aws:iam::aws:policy/Billing' }],
      tags: [{ key: 'team', value: 'blue' }, { key: 'cost', value: '42' }],
      transitiveTagKeys: ['team'],
      sourceIdentity: 'alice',
    });
    expect(out.Credentials).toEqual({
      AccessKeyId: 'ASIAEXAMPLE123456789', SecretAccessKey: 's3cr3t<&>', SessionToken: 'tok+/=', Expiration: EXPIRATION,
    });
    expect(out.AssumedRoleUser).toEqual({ AssumedRoleId: 'AROAEXAMPLE:sess', Arn: 'arn:aws:sts::123456789012:assumed-role/r/sess' });
    expect(out.PackedPolicySize).toBe(6);
    expect(out.SourceIdentity).toBe('alice');
    expect(out.$metadata.httpStatusCode).toBe(200);
  });

  test('GetCallerIdentity', async () => {
    const client = stsClient(() => ({ userId: 'AIDAEXAMPLE', account: '123456789012', arn: 'arn:aws:iam::123456789012:user/bob' }));
    const out = await client.send(new GetCallerIdentityCommand({}));
    expect([out.UserId, out.Account, out.Arn]).toEqual(['AIDAEXAMPLE', '123456789012', 'arn:aws:iam::123456789012:user/bob']);
  });

  test('a validation error deserialises as ValidationError with our message and status', async () => {
    const client = stsClient(() => ({}));
    const err = await client.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::123456789012:role/r', RoleSessionName: 'a:b' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(STSServiceException);
    const e = err as STSServiceException;
    expect(e.name).toBe('ValidationError');
    expect(e.message).toBe("1 validation error detected: Value 'a:b' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
    expect(e.$fault).toBe('client');
    expect(e.$metadata.httpStatusCode).toBe(400);
  });

  test('a handler AwsError deserialises with its code and message', async () => {
    const client = stsClient(() => { throw new AwsError('ExpiredToken', 'The security token included in the request is expired'); });
    const err = await client.send(new GetCallerIdentityCommand({})).catch((e: unknown) => e);
    expect((err as STSServiceException).name).toBe('ExpiredToken');
    expect((err as STSServiceException).message).toBe('The security token included in the request is expired');
  });
});

describe('IAM through @aws-sdk/client-iam', () => {
  test('ListUsers with IsTruncated and Marker; MaxItems parsed as an integer', async () => {
    let seen: DecodedRequest | undefined;
    const client = iamClient((req) => {
      seen = req;
      return {
        users: [
          { path: '/', userName: 'alice', userId: 'AIDAALICE', arn: 'arn:aws:iam::123456789012:user/alice', createDate: CREATED },
          { path: '/ops/', userName: 'bob', userId: 'AIDABOB', arn: 'arn:aws:iam::123456789012:user/ops/bob', createDate: CREATED,
            passwordLastUsed: EXPIRATION, tags: [{ key: 'k', value: 'v' }] },
        ],
        isTruncated: true,
        marker: 'next&page',
      };
    });
    const out = await client.send(new ListUsersCommand({ MaxItems: 2, PathPrefix: '/' }));
    expect(seen?.input).toEqual({ maxItems: 2, pathPrefix: '/' });
    expect(out.IsTruncated).toBe(true);
    expect(out.Marker).toBe('next&page');
    expect(out.Users).toEqual([
      { Path: '/', UserName: 'alice', UserId: 'AIDAALICE', Arn: 'arn:aws:iam::123456789012:user/alice', CreateDate: CREATED },
      { Path: '/ops/', UserName: 'bob', UserId: 'AIDABOB', Arn: 'arn:aws:iam::123456789012:user/ops/bob', CreateDate: CREATED,
        PasswordLastUsed: EXPIRATION, Tags: [{ Key: 'k', Value: 'v' }] },
    ]);
  });

  test('an empty list renders as an empty element, and IsTruncated false', async () => {
    const client = iamClient(() => ({ users: [], isTruncated: false }));
    const out = await client.send(new ListUsersCommand({}));
    expect(out.Users).toEqual([]);
    expect(out.IsTruncated).toBe(false);
    expect(out.Marker).toBeUndefined();
  });

  test('NoSuchEntity from a handler', async () => {
    const client = iamClient(() => { throw new AwsError('NoSuchEntity', 'The user with name nobody cannot be found.'); });
    const err = await client.send(new GetUserCommand({ UserName: 'nobody' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IAMServiceException);
    expect((err as IAMServiceException).name).toBe('NoSuchEntityException');
    expect((err as IAMServiceException).message).toBe('The user with name nobody cannot be found.');
    expect((err as IAMServiceException).$metadata.httpStatusCode).toBe(404);
  });

  test('an enum violation, as the SDK sends it', async () => {
    const client = iamClient(() => ({}));
    const err = await client.send(new UpdateAccessKeyCommand({ AccessKeyId: 'AKIAIOSFODNN7EXAMPLE', Status: 'Paused' as 'Active' })).catch((e: unknown) => e);
    expect((err as IAMServiceException).message).toBe(
      "1 validation error detected: Value 'Paused' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive, Expired]");
  });

  test('nested lists (ContextEntries.member.1.ContextKeyValues.member.1) and an empty list (`ResourceArns=`)', async () => {
    let seen: DecodedRequest | undefined;
    const client = iamClient((req) => { seen = req; return { evaluationResults: [], isTruncated: false }; });
    await client.send(new SimulateCustomPolicyCommand({
      PolicyInputList: ['{"Version":"2012-10-17","Statement":[]}'],
      ActionNames: ['s3:GetObject'],
      ResourceArns: [],
      ContextEntries: [{ ContextKeyName: 'aws:SourceIp', ContextKeyType: 'ip', ContextKeyValues: ['10.0.0.1', '10.0.0.2'] }],
    }));
    expect(seen?.input).toEqual({
      policyInputList: ['{"Version":"2012-10-17","Statement":[]}'],
      actionNames: ['s3:GetObject'],
      resourceArns: [],
      contextEntries: [{ contextKeyName: 'aws:SourceIp', contextKeyType: 'ip', contextKeyValues: ['10.0.0.1', '10.0.0.2'] }],
    });
  });
});
