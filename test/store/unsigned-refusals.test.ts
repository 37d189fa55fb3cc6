/**
 * Which refused unsigned federation calls reach the audit trail (src/audit/unsigned-refusals.ts):
 * the refusal codes of a federation, in an account that exists, at most so many per account and
 * minute, with one log line for the rest.
 */
import { describe, expect, test } from 'vitest';
import { createAccount } from '../../src/accounts/accounts.js';
import { UnsignedRefusals } from '../../src/audit/unsigned-refusals.js';
import { createLogger } from '../../src/log.js';
import type { Store } from '../../src/store/db.js';
import { generateKey, Keyring } from '../../src/tokens/keyring.js';
import { useTestStore } from '../helpers/store.js';

describe('UnsignedRefusals', () => {
  let store: Store;
  useTestStore((s) => {
    store = s;
  });

  test('records federation refusals in the named role’s existing account, at most perMinute a minute, and says how many it left out', async () => {
    const account = await createAccount(store, new Keyring([generateKey(new Date())]), new Date());
    const role = `arn:aws:iam::${account.accountId}:role/R`;
    const lines: string[] = [];
    const refusals = new UnsignedRefusals(store.db, createLogger('info', (l) => void lines.push(l)), 3);
    const t0 = Date.UTC(2026, 5, 1, 12, 0, 0);

    expect(await refusals.accountFor('ValidationError', role, t0)).toBeUndefined();
    expect(await refusals.accountFor('AccessDenied', undefined, t0)).toBeUndefined();
    expect(await refusals.accountFor('AccessDenied', 'arn:aws:iam::999999999999:role/R', t0)).toBeUndefined();
    const first = [];
    for (let i = 0; i < 5; i++) first.push(await refusals.accountFor(i % 2 ? 'InvalidIdentityToken' : 'AccessDenied', role, t0 + i));
    expect(first).toEqual([account.accountId, account.accountId, account.accountId, undefined, undefined]);
    // the next minute starts afresh, and the two left out are logged
    expect(await refusals.accountFor('ExpiredTokenException', role, t0 + 60_000)).toBe(account.accountId);
    expect(lines.map((l) => JSON.parse(l) as { msg?: string; unrecorded?: number }).find((l) => l.unrecorded !== undefined)).toMatchObject({ unrecorded: 2 });
  });
});
