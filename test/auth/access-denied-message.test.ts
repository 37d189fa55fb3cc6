/**
 * The AccessDenied wording for the policy types that only the engine can produce here (no AWS
 * Organizations, so no service control policy reaches a request): evaluated by the real engine,
 * worded by the real renderer. AWS: "When an SCP denies access, the error message always includes
 * the phrase … explicit deny in a service control policy, even if the denial is implicit" (IAM User
 * Guide, "Troubleshoot access denied error messages").
 */
import { describe, expect, test } from 'vitest';
import { accessDenied, accessDeniedMessage, type AuthorizationRequest } from '../../src/auth/authorize.js';
import type { Caller } from '../../src/auth/caller.js';
import { createRequestContext, evaluate, PolicyCache, type PolicySet } from '../../src/policy/index.js';
import { generateKey, Keyring } from '../../src/tokens/keyring.js';

const ACCOUNT = '123456789012';
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const caller: Caller = {
  accountId: ACCOUNT,
  arn: ALICE,
  userId: 'AIDAEXAMPLEALICE00001',
  kind: 'user',
  user: { id: 'AIDAEXAMPLEALICE00001', name: 'alice', path: '/' },
  accessKeyId: 'AKIAEXAMPLEALICE0001',
  principal: { type: 'User', arn: ALICE, account: ACCOUNT },
};
const req: AuthorizationRequest = { action: 'iam:CreateUser', resource: `arn:aws:iam::${ACCOUNT}:user/bob`, sourceIp: '192.0.2.1', secureTransport: true, now: new Date('2026-12-04T00:00:00Z') };
const HEAD = `User: ${ALICE} is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${ACCOUNT}:user/bob`;

const cache = new PolicyCache();
const doc = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const ALLOW_ALL = doc({ Effect: 'Allow', Action: '*', Resource: '*' });
const identity = [{ id: 'admin', policy: cache.get(ALLOW_ALL, { kind: 'identity' }) }];
const scp = (text: string) => [{ id: 'scp', policy: cache.get(text, { kind: 'scp' }) }];

function messageFor(set: PolicySet): string {
  const decision = evaluate(set, { principal: caller.principal, action: req.action, resource: req.resource, context: createRequestContext({}) });
  expect(decision.decision).not.toBe('Allow');
  return accessDeniedMessage(caller, req, decision);
}

describe('service control policies', () => {
  test('an SCP that does not allow the action reads as an explicit deny in a service control policy', () => {
    expect(messageFor({ identity, scps: [scp(doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }))] })).toBe(`${HEAD} with an explicit deny in a service control policy`);
  });

  test('an SCP that denies the action', () => {
    const denying = scp(doc({ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'iam:CreateUser', Resource: '*' }));
    expect(messageFor({ identity, scps: [denying] })).toBe(`${HEAD} with an explicit deny in a service control policy`);
  });
});

describe('the encoded message is opt-in', () => {
  const keyring = new Keyring([generateKey(new Date('2026-12-01T00:00:00Z'))]);
  const decision = evaluate({ identity: [] }, { principal: caller.principal, action: req.action, resource: req.resource, context: createRequestContext({}) });
  const reason = `${HEAD} because no identity-based policy allows the iam:CreateUser action`;

  test('plain: the reason and nothing more', () => {
    expect(accessDenied({ keyring, failureMessages: 'plain' }, caller, req, decision, {}).message).toBe(reason);
  });

  test('encoded: the reason, then the sealed details', () => {
    const { message } = accessDenied({ keyring, failureMessages: 'encoded' }, caller, req, decision, {});
    expect(message.startsWith(`${reason}. Encoded authorization failure message: `)).toBe(true);
    expect(message.slice(reason.length + '. Encoded authorization failure message: '.length)).toMatch(/^[A-Za-z0-9_-]{100,}$/);
  });
});
