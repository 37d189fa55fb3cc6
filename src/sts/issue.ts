/**
 * Minting temporary credentials: a fresh `ASIA…` key id and 40-character secret, sealed with
 * everything else the session needs into its token (src/tokens/session-token.ts). Nothing is
 * stored: any node with the keys can verify requests made with them.
 */
import { randomUUID } from 'node:crypto';
import type { Caller } from '../auth/caller.js';
import { newAccessKeyId, newSecretAccessKey } from '../iam/ids.js';
import type { Keyring } from '../tokens/keyring.js';
import { sealSessionToken, type SessionClaims } from '../tokens/session-token.js';

export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

/** Everything about the session but the key, secret, id and times, which are made here. */
export type SessionFacts = Omit<SessionClaims, 'v' | 'akid' | 'sk' | 'jti' | 'iat' | 'exp'>;

export function issueCredentials(keyring: Keyring, now: Date, durationSeconds: number, facts: SessionFacts): { credentials: TemporaryCredentials; claims: SessionClaims } {
  const iat = Math.floor(now.getTime() / 1000);
  const claims: SessionClaims = {
    v: 1,
    // The id names the session's account (the role's, across accounts), as AWS's do: GetAccessKeyInfo.
    akid: newAccessKeyId(facts.acct, 'temporaryKey'),
    sk: newSecretAccessKey(),
    jti: randomUUID(),
    iat,
    exp: iat + durationSeconds,
    ...facts,
  };
  return {
    claims,
    credentials: {
      accessKeyId: claims.akid,
      secretAccessKey: claims.sk,
      sessionToken: sealSessionToken(keyring, claims),
      expiration: new Date(claims.exp * 1000),
    },
  };
}

/**
 * The long-term key (or, for a chain that began with AssumeRoleWithWebIdentity, the web identity) a new session descends from, as its claims record it: the caller's own key,
 * or for a session that issues another (role chaining) the key its own chain started from. With
 * the key goes when it was last deactivated (`srcOff`, as this node knows it): deactivating the
 * key later changes that value, which ends the new session for good, chained ones included.
 */
export function sourceKeyOf(caller: Caller): Pick<SessionClaims, 'src' | 'srcAcct' | 'srcOff' | 'wi' | 'saml' | 'con'> {
  const s = caller.session;
  // A chain that started from a web identity, a SAML sign-in or a console password sign-in has no
  // key: it carries its origin on instead.
  if (s !== undefined && s.src === undefined) {
    if (s.saml !== undefined) return { saml: s.saml };
    // With the account the console sign-in was to, where its sign-out is recorded (a chain may cross accounts).
    if (s.con !== undefined) return { con: s.con, srcAcct: s.srcAcct ?? s.acct };
    return { wi: s.wi };
  }
  if (s !== undefined) return { src: s.src, srcAcct: s.srcAcct, ...(s.srcOff !== undefined ? { srcOff: s.srcOff } : {}) };
  return { src: caller.accessKeyId, srcAcct: caller.accountId, ...(caller.keyDeactivatedAt !== undefined ? { srcOff: caller.keyDeactivatedAt } : {}) };
}
