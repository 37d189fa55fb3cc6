/**
 * Production authentication runs AWS's SigV4 test suite too: authenticate() is sigv4's verify()
 * with this node's key lookup, so every case of the suite (test/sigv4/suite-vectors.test.ts runs
 * verify() on its own) authenticates here with the documented key held in the key cache. The
 * database is a trap: on the hot path no read may happen.
 */
import { describe, expect, it } from 'vitest';
import { AccountCache } from '../../src/auth/account-cache.js';
import { authenticate, type KnownKey } from '../../src/auth/authenticate.js';
import { cachingSigningKeys } from '../../src/auth/hot-caches.js';
import type { Db } from '../../src/store/db.js';
import { generateKey, Keyring } from '../../src/tokens/keyring.js';
import { parseRawRequest, suite, SUITE_NOW } from '../sigv4/helpers/vectors.js';

const { config } = suite;
const allowed = { services: [config.service], regions: [config.region] };
const ACCOUNT = '111122223333';

const noDatabase = new Proxy({} as Db, {
  get(_target, prop) {
    throw new Error(`the database was read (${String(prop)})`);
  },
});

function keyCache(status: 'Active' | 'Inactive', secret = config.secretAccessKey): AccountCache<KnownKey> {
  const keys = new AccountCache<KnownKey>();
  const arn = `arn:aws:iam::${ACCOUNT}:root`;
  keys.set(
    config.accessKeyId,
    ACCOUNT,
    {
      owner: { accessKeyId: config.accessKeyId, accountId: ACCOUNT, status, secretSealed: 'unused', deactivatedAt: undefined },
      secret,
      caller: { accountId: ACCOUNT, arn, userId: ACCOUNT, kind: 'root', accessKeyId: config.accessKeyId, principal: { type: 'Account', arn, account: ACCOUNT } },
    },
    keys.epoch,
  );
  return keys;
}

const keyring = new Keyring([generateKey(new Date('2015-08-30T00:00:00Z'))]);
const deps = (keys: AccountCache<KnownKey>) => ({ db: noDatabase, keyring, keys, available: () => true });

describe('authenticate() on the AWS SigV4 test suite', () => {
  for (const t of suite.tests.all) {
    const req = parseRawRequest(t.sreq);
    // The suite's post-sts cases send a session token with a long-term (AKID) key id: a token needs its ASIA key.
    const withToken = t.name.startsWith('post-sts');
    it(`${t.name}: ${withToken ? 'InvalidClientTokenId (a token with a long-term key id)' : 'the key cache’s caller, no database read'}`, async () => {
      const result = authenticate(deps(keyCache('Active')), req, SUITE_NOW, allowed, cachingSigningKeys());
      if (withToken) {
        await expect(result).rejects.toMatchObject({ code: 'InvalidClientTokenId' });
        return;
      }
      const { caller, identity } = await result;
      expect(caller.arn).toBe(`arn:aws:iam::${ACCOUNT}:root`);
      expect(identity).toMatchObject({ accessKeyId: config.accessKeyId, region: config.region, service: config.service, securityToken: undefined });
    });
    if (withToken) continue;
    it(`${t.name}: SignatureDoesNotMatch with another secret, InvalidClientTokenId for an inactive key`, async () => {
      await expect(authenticate(deps(keyCache('Active', `${config.secretAccessKey}x`)), req, SUITE_NOW, allowed)).rejects.toMatchObject({ code: 'SignatureDoesNotMatch' });
      await expect(authenticate(deps(keyCache('Inactive')), req, SUITE_NOW, allowed)).rejects.toMatchObject({ code: 'InvalidClientTokenId' });
    });
  }
});
