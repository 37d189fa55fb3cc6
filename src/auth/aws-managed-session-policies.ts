/**
 * The AWS managed policies this node ships (aws-managed/policies.json), held in memory so that a
 * session token can name one by its ARN instead of carrying its document, as AWS packs PolicyArns
 * ("The plaintext that you use for both inline and managed session policies can't exceed 2,048
 * characters": AWS counts the ARNs, so `ReadOnlyAccess`, some 74,000 characters, is a valid
 * session policy). Built once per service from the data the composition root read
 * (src/service.ts), never from a module-level global, and asked on the authorization path with no
 * database read.
 *
 * Which version applies: the one this node ships, at evaluation. AWS's PolicyArns take an ARN and
 * no version, and "When AWS updates an AWS managed policy, the change applies to all principal
 * entities that the policy is attached to" (IAM User Guide, "AWS managed policies"): the policy
 * applies as it is, not as it was when the session began. Pinning the version would also deny
 * sessions on the nodes of the other release for the length of a rolling upgrade, for no gain:
 * an AWS managed document is data shipped with the release, which no customer can change.
 *
 * A policy is compiled (through the shared PolicyCache, as a session policy) the first time it is
 * asked for, and kept here, so a session's 74 KB document is not hashed again per session. The
 * memo is a BoundedCache sized to the shipped set, so nothing in it is ever evicted.
 */
import { MAX_TEXT_LENGTH, type CompiledPolicy, type PolicyCache } from '../policy/index.js';
import { awsManagedPolicyArn } from '../arn.js';
import { BoundedCache } from '../cache.js';
import type { AwsManagedPolicy } from '../store/policies/aws-managed.js';

export class AwsManagedSessionPolicies {
  readonly #cache: PolicyCache;
  readonly #documents: ReadonlyMap<string, string>;
  /** By ARN; null: shipped, but its document does not compile as a session policy. */
  readonly #compiled: BoundedCache<string, CompiledPolicy | null>;

  constructor(policies: readonly AwsManagedPolicy[], cache: PolicyCache) {
    this.#cache = cache;
    this.#documents = new Map(policies.map((p) => [awsManagedPolicyArn(p), p.document]));
    this.#compiled = new BoundedCache({ maxEntries: Math.max(1, this.#documents.size) });
  }

  get size(): number {
    return this.#documents.size;
  }

  /**
   * The policy `arn` names compiled as a session policy, or undefined when this node does not
   * ship it (or it does not compile as one): the caller must then treat the reference as
   * unresolvable, never as absent.
   */
  sessionPolicy(arn: string): CompiledPolicy | undefined {
    const known = this.#compiled.get(arn);
    if (known !== undefined) return known ?? undefined;
    const document = this.#documents.get(arn);
    if (document === undefined) return undefined;
    let compiled: CompiledPolicy | null;
    try {
      // AWS managed documents exceed every customer quota; MAX_TEXT_LENGTH is the engine's own.
      compiled = this.#cache.get(document, { kind: 'session', maxLength: MAX_TEXT_LENGTH });
    } catch {
      compiled = null;
    }
    this.#compiled.set(arn, compiled);
    return compiled ?? undefined;
  }
}
