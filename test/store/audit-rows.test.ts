/**
 * The audit trail's writes on every backend: rows come back exactly as written (whatever their
 * text holds), and the appender batches concurrent requests without acknowledging anything it
 * did not store.
 */
import { describe, expect, test } from 'vitest';
import { AuditAppender, insertAuditEvents, queryAuditEvents, type AuditRow } from '../../src/store/audit.js';
import type { Store } from '../../src/store/db.js';
import { useTestStore } from '../helpers/store.js';

let store: Store;

useTestStore((s) => {
  store = s;
});

let n = 0;
function row(accountId: string, overrides: Partial<AuditRow> = {}): AuditRow {
  n++;
  return {
    id: `evt-${String(n).padStart(6, '0')}`,
    at: new Date(Date.UTC(2026, 10, 22, 10, 0, 0, n)),
    accountId,
    requestId: `req-${n}`,
    action: 'sts:AssumeRole',
    principalArn: `arn:aws:iam::${accountId}:user/u`,
    accessKeyId: 'AKIAEXAMPLE',
    sourceIp: '127.0.0.1',
    userAgent: null,
    decision: 'allow',
    errorCode: null,
    sourceIdentity: null,
    resource: null,
    details: null,
    ...overrides,
  };
}

describe('insertAuditEvents', () => {
  test('stores every column as written, text of any kind included', async () => {
    const written = [
      row('210000000001', { userAgent: `aws-cli/2 "quoted" back\\slash 'single' é ✓ 😀 \t tab`, details: JSON.stringify({ s: 'x\u2028y', n: 1, nested: { a: [null, true] } }), resource: 'arn:aws:iam::210000000001:role/r' }),
      row('210000000001', { decision: 'deny', errorCode: 'AccessDenied', sourceIdentity: 'alice@example.com', details: '{"message":"it said \\"no\\""}' }),
    ];
    await insertAuditEvents(store.db, written);
    const read = await queryAuditEvents(store.db, { accountId: '210000000001', limit: 10 });
    expect(read.sort((a, b) => a.id.localeCompare(b.id))).toEqual(written);
  });

  test('a lone surrogate is stored as U+FFFD, as the driver would encode it, instead of failing the insert', async () => {
    await insertAuditEvents(store.db, [row('210000000002', { userAgent: 'a\uD800b', resource: 'pair \uD83D\uDE00 kept' })]);
    const [read] = await queryAuditEvents(store.db, { accountId: '210000000002', limit: 1 });
    expect(read?.userAgent).toBe('a\uFFFDb');
    expect(read?.resource).toBe('pair \uD83D\uDE00 kept');
  });

  test('nothing for no rows', async () => {
    await expect(insertAuditEvents(store.db, [])).resolves.toBeUndefined();
  });
});

describe('AuditAppender', () => {
  test("many concurrent requests' rows are all stored, each promise settling once its rows are", async () => {
    const appender = new AuditAppender(store.db);
    const requests = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? [row('210000000003'), row('210000000003')] : [row('210000000003')]));
    await Promise.all(requests.map((rows) => appender.append(rows)));
    const read = await queryAuditEvents(store.db, { accountId: '210000000003', limit: 1000 });
    expect(read.map((r) => r.id).sort()).toEqual(requests.flat().map((r) => r.id).sort());
  });

  test('a failed insert rejects the requests of its batch, and the next batch is written', async () => {
    const appender = new AuditAppender(store.db);
    const duplicate = row('210000000004');
    await appender.append([duplicate]);
    // The same primary key again: that insert fails, and so must the promise of every request in it.
    const failing = appender.append([{ ...duplicate }]);
    await expect(failing).rejects.toThrow();
    await appender.append([row('210000000004')]);
    expect(await queryAuditEvents(store.db, { accountId: '210000000004', limit: 10 })).toHaveLength(2);
  });
});
