/**
 * What a signed operation's handler gets (operation.ts, OperationContext): the call's facts, its
 * caller, the database handle it runs on (the transaction, for writes) and `authorize` bound to
 * them. Nothing here writes back into the call: a denial carries what it refused in its error.
 */
import type { AuthorizationRequest } from '../auth/authorize.js';
import type { Caller } from '../auth/caller.js';
import type { ContextValues, OperationContext, RequestFacts } from '../operation.js';
import type { Db } from '../store/db.js';

/** The call as a handler context sees it (src/http/pipeline.ts). */
export interface SignedCall {
  readonly requestAt: Date;
  readonly requestId: string;
  readonly deps: { readonly authorize: (caller: Caller, db: Db, req: AuthorizationRequest) => Promise<void> };
  facts(): RequestFacts;
  requestFor(action: string, resource: string, context?: ContextValues): AuthorizationRequest;
}

export class SignedContext implements OperationContext {
  readonly accountId: string;
  readonly now: Date;
  readonly requestId: string;
  #request: RequestFacts | undefined;

  constructor(
    private readonly call: SignedCall,
    readonly db: Db,
    readonly caller: Caller,
  ) {
    this.accountId = caller.accountId;
    this.now = call.requestAt;
    this.requestId = call.requestId;
  }

  /** Made when a handler asks (most never do). */
  get request(): RequestFacts {
    return (this.#request ??= this.call.facts());
  }

  /**
   * Inside a write transaction, policy reads go through the transaction's handle: PGlite has one
   * connection, and a read on another handle would wait for the transaction forever.
   */
  authorize(action: string, resource: string, context?: ContextValues): Promise<void> {
    return this.call.deps.authorize(this.caller, this.db, this.call.requestFor(action, resource, context));
  }

  requestFor(action: string, resource: string, context?: ContextValues): AuthorizationRequest {
    return this.call.requestFor(action, resource, context);
  }
}
