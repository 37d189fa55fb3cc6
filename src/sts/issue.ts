/**
 * Minting temporary credentials: a fresh `ASIA…` key id and 40-character secret, sealed with
 * everything else the session needs into its token (src/tokens/session-token.ts). Nothing is
 * stored: any node with the keys can verify requests made with them.
 */
import { randomUUID } from 'node:crypto';
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
