/** The authenticated caller of a request, as every later step sees it. */
import type { RequestPrincipal } from '../policy/index.js';

export interface Caller {
  readonly accountId: string;
  /** `arn:aws:iam::ACCOUNT:root` or the user's ARN. */
  readonly arn: string;
  /** `aws:userid`: the account id for root, the user's unique id for a user. */
  readonly userId: string;
  readonly kind: 'root' | 'user';
  /** The IAM user, for kind 'user'. */
  readonly user?: { readonly id: string; readonly name: string; readonly path: string };
  readonly accessKeyId: string;
  readonly principal: RequestPrincipal;
}
