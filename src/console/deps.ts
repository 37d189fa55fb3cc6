/** What the console and the federation endpoint need, built once by the composition root (src/service.ts). */
import type { Caller } from '../auth/caller.js';
import type { TrustedProxies } from '../http/forwarded.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { AuditAppender } from '../store/audit.js';
import type { Db } from '../store/db.js';
import type { Keyring } from '../tokens/keyring.js';
import type { SessionClaims } from '../tokens/session-token.js';
import type { SignInPort } from './sign-in-port.js';

export interface ConsoleDeps {
  readonly db: Db;
  readonly keyring: Keyring;
  readonly logger: Logger;
  readonly clock: () => number;
  /** Sign-in events go here, awaited: a sign-in that cannot be audited fails. */
  readonly audit: AuditAppender;
  readonly trustedProxies?: TrustedProxies | undefined;
  /**
   * authenticate()'s checks of a session (src/auth/authenticate.ts, checkSession): not expired,
   * its source key active and not deactivated since, not revoked. The caller, or undefined.
   */
  readonly checkSession: (claims: SessionClaims, now: number) => Promise<Caller | undefined>;
  /** Password sign-in (src/console/sign-in-port.ts); absent: only federation sign-in. */
  readonly signIn?: SignInPort | undefined;
  /** CONSOLE_DESTINATIONS: URL prefixes a federation sign-in may redirect to, besides this console. */
  readonly destinations: readonly string[];
  /** Tell every node an account changed (the store's announce), this one at once: sign-out revokes the session's credentials. */
  readonly announce?: ((db: Db, accountId: string) => Promise<void>) | undefined;
  /** This node's metrics (src/metrics.ts): each route's requests, sign-ins, MFA codes, sign-in tokens. */
  readonly metrics?: Metrics | undefined;
}
