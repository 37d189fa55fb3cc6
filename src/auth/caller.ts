/** The authenticated caller of a request, as every later step sees it. */
import type { RequestPrincipal } from '../policy/index.js';
import type { SessionClaims } from '../tokens/session-token.js';

export interface Caller {
  readonly accountId: string;
  /** `arn:aws:iam::ACCOUNT:root`, the user's ARN, or the session's STS ARN. */
  readonly arn: string;
  /** `aws:userid`: the account id for root, the user's unique id, `AROA…:session`, `ACCOUNT:name`. */
  readonly userId: string;
  /**
   * root / user: long-term keys, or GetSessionToken credentials of root or a user (see `session`).
   * assumed-role: an AssumeRole* session. federated-user: a GetFederationToken session.
   */
  readonly kind: 'root' | 'user' | 'assumed-role' | 'federated-user';
  /** The IAM user: for kind 'user', and behind a federated user created by an IAM user. */
  readonly user?: { readonly id: string; readonly name: string; readonly path: string } | undefined;
  /** The role, for kind 'assumed-role'. */
  readonly role?: { readonly id: string; readonly name: string; readonly path: string } | undefined;
  readonly accessKeyId: string;
  /**
   * For long-term keys: when the key was last deactivated (epoch ms), undefined if never. Sessions
   * issued with the key carry it (`srcOff`, src/sts/issue.ts).
   */
  readonly keyDeactivatedAt?: number | undefined;
  readonly principal: RequestPrincipal;
  /** Present when the request was signed with temporary credentials. */
  readonly session?: SessionClaims | undefined;
}
