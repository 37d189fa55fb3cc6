/**
 * Which refused unsigned calls go to the audit trail (SPEC §10: every denied call is audited).
 * AssumeRoleWithWebIdentity and AssumeRoleWithSAML are made by nobody we know, so the refusal
 * goes to the trail of the account whose role the request named, as CloudTrail records a failed
 * federation in the role's account: a trust policy's AccessDenied, and the identity provider's
 * token or assertion refused (InvalidIdentityToken, ExpiredTokenException, IDPRejectedClaim).
 *
 * Anyone on the network can make these calls, so the trail must not become a way to fill the
 * database: a refusal is recorded only for an account that exists, and at most `perMinute` per
 * account per minute on each node; past that, one log line says how many went unrecorded.
 */
import { BoundedCache } from '../cache.js';
import { arnAccountId } from '../arn.js';
import type { Logger } from '../log.js';
import { findAccount } from '../store/accounts.js';
import type { Db } from '../store/db.js';

/** The refusals of an unsigned federation call that are recorded. */
export const RECORDED_UNSIGNED_REFUSALS: ReadonlySet<string> = new Set(['AccessDenied', 'InvalidIdentityToken', 'ExpiredTokenException', 'IDPRejectedClaim']);

/** Records per account and minute on one node, by default. */
export const UNSIGNED_REFUSALS_PER_MINUTE = 120;

interface Window {
  minute: number;
  count: number;
}

export class UnsignedRefusals {
  /** Accounts known to exist (an account is never deleted), and each account's current minute. */
  private readonly windows = new BoundedCache<string, Window>({ maxEntries: 10_000 });

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly perMinute: number = UNSIGNED_REFUSALS_PER_MINUTE,
  ) {}

  /** The account whose trail records this refusal, or undefined when none does (see the header). */
  async accountFor(code: string, resource: string | undefined, now: number): Promise<string | undefined> {
    if (!RECORDED_UNSIGNED_REFUSALS.has(code) || resource === undefined) return undefined;
    const accountId = arnAccountId(resource);
    if (accountId === undefined) return undefined;
    let window = this.windows.get(accountId);
    if (!window) {
      // Made-up account numbers are read again each time, never kept.
      if (!(await findAccount(this.db, accountId))) return undefined;
      window = { minute: 0, count: 0 };
      this.windows.set(accountId, window);
    }
    const minute = Math.floor(now / 60_000);
    if (window.minute !== minute) {
      if (window.count > this.perMinute) this.logger.warn('unsigned refusals not audited', { accountId, minute: new Date(window.minute * 60_000).toISOString(), unrecorded: window.count - this.perMinute });
      window.minute = minute;
      window.count = 0;
    }
    window.count++;
    return window.count <= this.perMinute ? accountId : undefined;
  }
}
