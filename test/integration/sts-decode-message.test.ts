/**
 * DecodeAuthorizationMessage through @aws-sdk/client-sts, and the encoded message behind an
 * AccessDenied. The messages here are made the way the authorization pipeline makes them (the
 * caller, its compiled policies, the decision and the request's condition keys), then sealed with
 * the service's keyring.
 */
import { CreateRoleCommand, CreateUserCommand, GetPolicyCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, DecodeAuthorizationMessageCommand, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import { lookupKey } from '../../src/auth/authenticate.js';
import { callerContext, evaluateFor, principalFor, type AuthorizationRequest } from '../../src/auth/authorize.js';
import {
  decodeAuthorizationMessage,
  describeAuthorization,
  encodeAuthorizationMessage,
  MAX_ENCODED_LENGTH,
  type DecodedAuthorization,
} from '../../src/auth/authorization-message.js';
import { generateKey, Keyring } from '../../src/tokens/keyring.js';
import { allow, type Credentials, encodedDenial, encodedPart, notAuthorized, rootCredentials, type TestService, useService } from '../helpers/service.js';

let svc: TestService;
let acct: string;
useService((s) => ({ svc, acct } = s));

const INVALID = 'The encoded authorization message is invalid.';
const DECODER = allow('sts:DecodeAuthorizationMessage');

/** What the pipeline knows when it refuses `creds` the action on the resource, in AWS's DecodedMessage shape. */
async function refusal(creds: Credentials, action: string, resource: string): Promise<DecodedAuthorization> {
  const { store, keyring, service } = svc;
  const known = await lookupKey({ db: store.db, keyring, keys: service.caches.keys }, creds.accessKeyId);
  if (!known) throw new Error('unknown key');
  const { caller } = known;
  const principal = await principalFor({ db: store.db, policyCache: service.registry.policyCache, principals: service.caches.principals }, caller);
  const req: AuthorizationRequest = { action, resource, now: new Date(), sourceIp: '127.0.0.1', secureTransport: false };
  const decision = evaluateFor(principal, caller, req);
  expect(decision.decision).not.toBe('Allow');
  return describeAuthorization({
    principal: { id: caller.userId, name: caller.user?.name, arn: caller.arn },
    action,
    resource,
    decision,
    context: callerContext(caller, principal.tags, req),
  });
}

function decode(creds: Credentials, message: string) {
  return svc.sts(creds).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: message }));
}

async function decoded(creds: Credentials, message: string): Promise<unknown> {
  const { DecodedMessage } = await decode(creds, message);
  return JSON.parse(DecodedMessage ?? 'null');
}

describe('DecodeAuthorizationMessage', () => {
  test('an implicit deny: AWS shape, the principal, action, resource and the condition keys', async () => {
    const bob = await svc.userWithPolicy('bob');
    const details = await refusal(bob, 'iam:CreateUser', `arn:aws:iam::${acct}:user/eve`);
    const message = encodeAuthorizationMessage(svc.keyring, acct, details);
    expect(message).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(message).not.toContain('bob');

    const decoder = await svc.userWithPolicy('decoder', DECODER);
    const out = await decoded(decoder, message);
    expect(out).toEqual(details);
    expect(out).toMatchObject({
      allowed: false,
      explicitDeny: false,
      matchedStatements: { items: [] },
      failures: { items: [] },
      context: {
        principal: { id: expect.stringMatching(/^AIDA/), name: 'bob', arn: `arn:aws:iam::${acct}:user/bob` },
        action: 'iam:CreateUser',
        resource: `arn:aws:iam::${acct}:user/eve`,
        conditions: { items: expect.arrayContaining([{ key: 'aws:username', values: { items: [{ value: 'bob' }] } }, { key: 'aws:PrincipalType', values: { items: [{ value: 'User' }] } }]) },
      },
    });
  });

  test('an explicit deny: the deny statement that matched, by its Sid', async () => {
    const carol = await svc.userWithPolicy('carol', {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'iam:*', Resource: '*' },
        { Sid: 'NoNewUsers', Effect: 'Deny', Action: 'iam:CreateUser', Resource: '*' },
      ],
    });
    const details = await refusal(carol, 'iam:CreateUser', `arn:aws:iam::${acct}:user/x`);
    const out = await decoded(svc.root, encodeAuthorizationMessage(svc.keyring, acct, details));
    expect(out).toMatchObject({
      allowed: false,
      explicitDeny: true,
      matchedStatements: {
        items: [
          {
            statementId: 'NoNewUsers',
            effect: 'DENY',
            principals: { items: [{ value: details.context.principal.id }] },
            principalGroups: { items: [] },
            actions: { items: [] },
            resources: { items: [] },
            conditions: { items: [] },
          },
        ],
      },
    });
  });

  test('root may decode without any policy', async () => {
    const details = await refusal(await svc.userWithPolicy('dave'), 'iam:ListUsers', '*');
    expect(await decoded(svc.root, encodeAuthorizationMessage(svc.keyring, acct, details))).toEqual(details);
  });

  test('a user needs sts:DecodeAuthorizationMessage: AccessDenied', async () => {
    const details = await refusal(await svc.userWithPolicy('erin'), 'iam:ListUsers', '*');
    const nosy = await svc.userWithPolicy('nosy', allow('iam:*'));
    await expect(decode(nosy, encodeAuthorizationMessage(svc.keyring, acct, details))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: notAuthorized(acct, 'nosy', 'sts:DecodeAuthorizationMessage'),
    });
  });

  test('GetSessionToken credentials may not call it: AccessDenied', async () => {
    const user = await svc.userWithPolicy('session-decoder', DECODER);
    const { Credentials: c } = await svc.sts(user).send(new GetSessionTokenCommand({}));
    const creds = { accessKeyId: c?.AccessKeyId ?? '', secretAccessKey: c?.SecretAccessKey ?? '', sessionToken: c?.SessionToken ?? '' };
    const details = await refusal(await svc.userWithPolicy('frank'), 'iam:ListUsers', '*');
    await expect(decode(creds, encodeAuthorizationMessage(svc.keyring, acct, details))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: 'Cannot call DecodeAuthorizationMessage with session credentials',
    });
  });

  describe('messages that are not ours: InvalidAuthorizationMessageException', () => {
    let message = '';
    const invalid = (creds: Credentials, text: string) =>
      expect(decode(creds, text)).rejects.toMatchObject({ name: 'InvalidAuthorizationMessageException', message: INVALID });

    test('tampered, truncated, with a line break, or garbage', async () => {
      const details = await refusal(await svc.userWithPolicy('grace'), 'iam:ListUsers', '*');
      message = encodeAuthorizationMessage(svc.keyring, acct, details);
      const i = Math.floor(message.length / 2);
      await invalid(svc.root, message.slice(0, i) + (message[i] === 'A' ? 'B' : 'A') + message.slice(i + 1));
      await invalid(svc.root, message.slice(0, -4));
      await invalid(svc.root, `${message.slice(0, i)}\n${message.slice(i)}`);
      await invalid(svc.root, 'not an encoded message');
      // The original still decodes.
      expect(await decoded(svc.root, message)).toEqual(details);
    });

    test("another account's message does not open there, even for its root", async () => {
      const theirs = await svc.newAccount();
      await invalid(rootCredentials(theirs), message);
    });

    test('a message sealed by another deployment does not open here', async () => {
      const details = await refusal(await svc.userWithPolicy('heidi'), 'iam:ListUsers', '*');
      await invalid(svc.root, encodeAuthorizationMessage(new Keyring([generateKey(new Date())]), acct, details));
    });

    test('a session token is not an authorization message (sealed for another purpose)', async () => {
      const { Credentials: c } = await svc.sts().send(new GetSessionTokenCommand({}));
      await invalid(svc.root, c?.SessionToken ?? '');
    });
  });

  test('longer than 10240 characters: ValidationError', async () => {
    const text = 'A'.repeat(MAX_ENCODED_LENGTH + 1);
    await expect(decode(svc.root, text)).rejects.toMatchObject({
      name: 'ValidationError',
      message: `1 validation error detected: Value '${text}' at 'encodedMessage' failed to satisfy constraint: Member must have length less than or equal to 10240`,
    });
  });
});

describe('encodeAuthorizationMessage', () => {
  test('always fits the 10240-character limit: condition values go first, the decision stays', async () => {
    const details = await refusal(await svc.userWithPolicy('ivan'), 'iam:ListUsers', '*');
    const huge: DecodedAuthorization = {
      ...details,
      context: {
        ...details.context,
        conditions: { items: Array.from({ length: 500 }, (_, i) => ({ key: `aws:RequestTag/k${i}`, values: { items: [{ value: randomBytes(32).toString('hex') }] } })) },
      },
    };
    const message = encodeAuthorizationMessage(svc.keyring, acct, huge);
    expect(message.length).toBeLessThanOrEqual(MAX_ENCODED_LENGTH);
    const out = decodeAuthorizationMessage(svc.keyring, acct, message);
    expect(out?.context.conditions.items).toEqual([]);
    expect(out).toMatchObject({ allowed: false, explicitDeny: false, context: { principal: details.context.principal, action: 'iam:ListUsers', resource: '*' } });
  });
});

describe('AUTHORIZATION_FAILURE_MESSAGES', () => {
  test("plain (the default): a denial is AWS's text alone, with no encoded message", async () => {
    const mona = await svc.userWithPolicy('mona');
    await expect(svc.iam(mona).send(new CreateUserCommand({ UserName: 'not-by-mona' }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${acct}:user/mona is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${acct}:user/not-by-mona because no identity-based policy allows the iam:CreateUser action`,
    });
  });
});

/**
 * A second node with the setting on, on the same database and keys as the default one: its denials
 * carry the encoded message, and the default node (the setting off) still decodes them, as it
 * decodes any message sealed for the caller's account.
 */
describe('AccessDenied carries the encoded message (AUTHORIZATION_FAILURE_MESSAGES=encoded)', () => {
  let node: Awaited<ReturnType<TestService['node']>>;
  beforeAll(async () => {
    node = await svc.node({ failureMessages: 'encoded' });
  });

  /** The call's AccessDenied: `reason` exactly, then the encoded authorization failure message, which is returned. */
  async function refused(call: Promise<unknown>, reason: string): Promise<string> {
    const err = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ name: 'AccessDenied', message: encodedDenial(reason) });
    const part = encodedPart((err as Error).message);
    if (part === undefined) throw new Error('no encoded message');
    return part;
  }

  test("a denied IAM call's message decodes, for a caller allowed sts:DecodeAuthorizationMessage, to the action, resource and allowed: false; a caller without that permission is refused", async () => {
    const judy = await svc.userWithPolicy('judy');
    const resource = `arn:aws:iam::${acct}:user/not-allowed`;
    const message = await refused(
      node.iam(judy).send(new CreateUserCommand({ UserName: 'not-allowed' })),
      `User: arn:aws:iam::${acct}:user/judy is not authorized to perform: iam:CreateUser on resource: ${resource} because no identity-based policy allows the iam:CreateUser action`,
    );
    expect(message).not.toContain('judy');

    const decoder = await svc.userWithPolicy('judy-decoder', DECODER);
    expect(await decoded(decoder, message)).toMatchObject({
      allowed: false,
      explicitDeny: false,
      matchedStatements: { items: [] },
      context: {
        principal: { id: expect.stringMatching(/^AIDA/), name: 'judy', arn: `arn:aws:iam::${acct}:user/judy` },
        action: 'iam:CreateUser',
        resource,
        // The condition keys the decision was evaluated with.
        conditions: { items: expect.arrayContaining([{ key: 'aws:username', values: { items: [{ value: 'judy' }] } }, { key: 'aws:PrincipalType', values: { items: [{ value: 'User' }] } }]) },
      },
    });

    // Judy herself may not read it: that refusal is itself a policy decision, with its own message.
    await expect(node.sts(judy).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: message }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: encodedDenial(notAuthorized(acct, 'judy', 'sts:DecodeAuthorizationMessage')),
    });
  });

  test('an explicit deny: explicitDeny and the statement, by its Sid', async () => {
    const kim = await svc.userWithPolicy('kim', {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'iam:*', Resource: '*' },
        { Sid: 'NoUserLists', Effect: 'Deny', Action: 'iam:ListUsers', Resource: '*' },
      ],
    });
    const message = await refused(
      node.iam(kim).send(new ListUsersCommand({})),
      `User: arn:aws:iam::${acct}:user/kim is not authorized to perform: iam:ListUsers on resource: * with an explicit deny in an identity-based policy`,
    );
    const details = { allowed: false, explicitDeny: true, matchedStatements: { items: [{ statementId: 'NoUserLists', effect: 'DENY' }] } };
    // On the node that issued it, and on the node with the setting off.
    const { DecodedMessage } = await node.sts().send(new DecodeAuthorizationMessageCommand({ EncodedMessage: message }));
    expect(JSON.parse(DecodedMessage ?? 'null')).toMatchObject(details);
    expect(await decoded(svc.root, message)).toMatchObject(details);
  });

  test("AssumeRole refused by the trust policy: AWS's text (no reason), and the message carries the keys the trust policy was evaluated with", async () => {
    const user = await svc.userWithPolicy('lee');
    const trustPolicy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${acct}:user/lee` }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'Example987' } } }],
    };
    const { Role } = await svc.iam().send(new CreateRoleCommand({ RoleName: 'LeeRole', AssumeRolePolicyDocument: JSON.stringify(trustPolicy) }));
    const roleArn = Role?.Arn ?? '';
    const message = await refused(
      node.sts(user).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'lee-session', ExternalId: 'Wrong-id' })),
      `User: arn:aws:iam::${acct}:user/lee is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
    );
    expect(await decoded(svc.root, message)).toMatchObject({
      allowed: false,
      context: {
        action: 'sts:AssumeRole',
        resource: roleArn,
        conditions: {
          items: expect.arrayContaining([
            { key: 'sts:ExternalId', values: { items: [{ value: 'Wrong-id' }] } },
            { key: 'sts:RoleSessionName', values: { items: [{ value: 'lee-session' }] } },
            { key: 'aws:username', values: { items: [{ value: 'lee' }] } },
          ]),
        },
      },
    });
  });

  test("root refused another account's resource: the message opens for root, naming root by its account", async () => {
    const theirs = await svc.newAccount();
    const policyArn = `arn:aws:iam::${theirs.accountId}:policy/theirs`;
    const message = await refused(
      node.iam().send(new GetPolicyCommand({ PolicyArn: policyArn })),
      `User: arn:aws:iam::${acct}:root is not authorized to perform: iam:GetPolicy on resource: ${policyArn} because no resource-based policy allows the iam:GetPolicy action`,
    );
    expect(await decoded(svc.root, message)).toMatchObject({
      allowed: false,
      explicitDeny: false,
      context: { principal: { id: acct, arn: `arn:aws:iam::${acct}:root` }, action: 'iam:GetPolicy', resource: policyArn },
    });
    // It was sealed for this account: the other account's root cannot read it.
    await expect(decode(rootCredentials(theirs), message)).rejects.toMatchObject({ name: 'InvalidAuthorizationMessageException' });
  });
});
