/**
 * Roles and sessions for the audit and revocation suites. `mintRoleSession` issues a role session
 * with issueCredentials exactly as AssumeRole does (src/sts/issue.ts) but with the facts a test
 * chooses (a source identity, a given source key), and with no request to any node: the two-node
 * suite uses it to hold a session that only node B has ever seen.
 */
import { CreateRoleCommand, GetRoleCommand, PutRolePolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import { issueCredentials } from '../../src/sts/issue.js';
import type { Keyring } from '../../src/tokens/keyring.js';
import type { SessionClaims } from '../../src/tokens/session-token.js';
import type { Credentials } from '../helpers/service.js';

export interface Session extends Credentials {
  readonly sessionToken: string;
  readonly claims: SessionClaims;
}

/** A role any principal of `account` may assume, with an inline policy. */
export async function createRole(iam: IAMClient, account: string, roleName: string, policy?: object): Promise<void> {
  const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'] }] };
  await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(trust) }));
  if (policy) await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: 'test', PolicyDocument: JSON.stringify(policy) }));
}

/** A session of `roleName` as AssumeRole would issue it, derived from the long-term key `sourceKeyId`. */
export async function mintRoleSession(
  keyring: Keyring,
  iam: IAMClient,
  opts: { account: string; roleName: string; sessionName?: string; sourceKeyId: string; sourceAccount?: string; sourceIdentity?: string; now?: Date; seconds?: number },
): Promise<Session> {
  const { Role } = await iam.send(new GetRoleCommand({ RoleName: opts.roleName }));
  if (!Role?.RoleId || !Role.Path || !Role.RoleName) throw new Error('GetRole returned no role');
  const name = opts.sessionName ?? 'test-session';
  const { credentials, claims } = issueCredentials(keyring, opts.now ?? new Date(), opts.seconds ?? 3600, {
    kind: 'role',
    acct: opts.account,
    arn: `arn:aws:sts::${opts.account}:assumed-role/${Role.RoleName}/${name}`,
    uid: `${Role.RoleId}:${name}`,
    role: { id: Role.RoleId, name: Role.RoleName, path: Role.Path },
    name,
    ...(opts.sourceIdentity !== undefined ? { sid: opts.sourceIdentity } : {}),
    depth: 0,
    src: opts.sourceKeyId,
    srcAcct: opts.sourceAccount ?? opts.account,
  });
  return { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken, claims };
}

/** The error name the SDK reports for a call, or 'ok'. */
export async function outcome(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return 'ok';
  } catch (err) {
    return (err as Error).name;
  }
}
