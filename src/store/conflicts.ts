/**
 * Transactions that PostgreSQL aborts because of another one: a deadlock (SQLSTATE 40P01, two
 * transactions each waiting on a row the other locked; e.g. AttachRolePolicy locks the policy
 * then the role while PutRolePermissionsBoundary updates the role, whose foreign key then locks
 * the policy) or a serialization failure (40001). PostgreSQL's documented remedy is to run the
 * aborted transaction again (https://www.postgresql.org/docs/current/mvcc-serialization-failure-handling.html);
 * a transaction still aborted after a few tries is answered as IAM answers changes that collide,
 * ConcurrentModification (409), never as our failure. Found by `npm run fuzz` on PostgreSQL.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AwsError } from '../errors.js';
import type { Store } from './db.js';
import { isConflict } from './errors.js';

/** How many times a transaction runs at most. */
export const CONFLICT_ATTEMPTS = 4;

/** Run `transaction` again while PostgreSQL aborts it for a conflict, after a short random wait. */
export async function retryConflicts<T>(transaction: () => Promise<T>, attempts = CONFLICT_ATTEMPTS): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (err) {
      if (!isConflict(err)) throw err;
      if (attempt >= attempts) throw new AwsError('ConcurrentModification');
      // Random, growing: the two colliding transactions should not meet again at once.
      await sleep(Math.random() * 10 * 2 ** attempt);
    }
  }
}

/** `store` whose transactions are retried on conflict (what the request pipeline writes through). */
export function retryingConflicts(store: Store): Store {
  const tx: Store['tx'] = (...args) => retryConflicts(() => store.tx(...args));
  return { ...store, tx };
}
