/**
 * One error class and one table for every error the service returns (AWS's codes, HTTP statuses
 * and Sender/Receiver types). Handlers throw `new AwsError(code, message)`; only the HTTP layer
 * turns it into a status and XML. Anything that is not an AwsError becomes InternalFailure,
 * with the cause logged and never shown.
 */

interface ErrorSpec {
  readonly status: number;
  readonly type: 'Sender' | 'Receiver';
  readonly message: string;
}

export const ERRORS = {
  AccessDenied: { status: 403, type: 'Sender', message: 'Access denied.' },
  ConcurrentModification: { status: 409, type: 'Sender', message: 'The request was rejected because multiple requests to change this object were submitted simultaneously. Wait a few minutes and submit your request again.' },
  DeleteConflict: { status: 409, type: 'Sender', message: 'Cannot delete an entity that has dependents.' },
  EntityAlreadyExists: { status: 409, type: 'Sender', message: 'The entity already exists.' },
  EntityTemporarilyUnmodifiable: { status: 409, type: 'Sender', message: 'The request was rejected because it referenced an entity that is temporarily unmodifiable.' },
  ExpiredToken: { status: 400, type: 'Sender', message: 'The security token included in the request is expired' },
  ExpiredTokenException: { status: 400, type: 'Sender', message: 'Token is expired.' },
  IDPCommunicationError: { status: 400, type: 'Sender', message: 'The identity provider could not be reached.' },
  IDPRejectedClaim: { status: 403, type: 'Sender', message: 'The identity provider rejected the claim.' },
  IncompleteBody: { status: 400, type: 'Sender', message: 'The request body ended before all of it was received.' },
  IncompleteSignature: { status: 400, type: 'Sender', message: 'The request signature does not conform to AWS standards.' },
  InternalFailure: { status: 500, type: 'Receiver', message: 'The request processing has failed because of an unknown error, exception or failure.' },
  InvalidAction: { status: 400, type: 'Sender', message: 'The action or operation requested is invalid.' },
  InvalidAuthenticationCode: { status: 403, type: 'Sender', message: 'The authentication code was not recognized.' },
  InvalidAuthorizationMessageException: { status: 400, type: 'Sender', message: 'The encoded authorization message is invalid.' },
  InvalidClientTokenId: { status: 403, type: 'Sender', message: 'The security token included in the request is invalid.' },
  InvalidIdentityToken: { status: 400, type: 'Sender', message: 'The web identity token that was passed could not be validated.' },
  InvalidInput: { status: 400, type: 'Sender', message: 'The request was rejected because an invalid or out-of-range value was supplied.' },
  InvalidParameterCombination: { status: 400, type: 'Sender', message: 'Parameters that must not be used together were used together.' },
  InvalidParameterValue: { status: 400, type: 'Sender', message: 'An invalid or out-of-range value was supplied for the input parameter.' },
  InvalidUserType: { status: 400, type: 'Sender', message: 'The request was rejected because the type of user for the transaction was incorrect.' },
  LimitExceeded: { status: 409, type: 'Sender', message: 'The request was rejected because it attempted to create resources beyond the current account limits.' },
  MalformedPolicyDocument: { status: 400, type: 'Sender', message: 'The policy document is malformed.' },
  MalformedQueryString: { status: 404, type: 'Sender', message: 'The query string contains a syntax error.' },
  MissingAction: { status: 400, type: 'Sender', message: 'The request is missing an action or a required parameter.' },
  MissingAuthenticationToken: { status: 403, type: 'Sender', message: 'Request is missing Authentication Token' },
  MissingParameter: { status: 400, type: 'Sender', message: 'A required parameter for the specified action is not supplied.' },
  NoSuchEntity: { status: 404, type: 'Sender', message: 'The request was rejected because it referenced an entity that does not exist.' },
  PackedPolicyTooLarge: { status: 400, type: 'Sender', message: 'The request was rejected because the total packed size of the session policies and session tags combined was too large.' },
  PasswordPolicyViolation: { status: 400, type: 'Sender', message: 'The request was rejected because the provided password did not meet the requirements imposed by the account password policy.' },
  RegionDisabledException: { status: 403, type: 'Sender', message: 'STS is not activated in the requested region.' },
  RequestEntityTooLarge: { status: 413, type: 'Sender', message: 'The request body is too large.' },
  RequestExpired: { status: 400, type: 'Sender', message: 'The request reached the service more than 15 minutes after the date stamp on the request or more than 15 minutes after the request expiration date, or the date stamp on the request is more than 15 minutes in the future.' },
  ServiceUnavailable: { status: 503, type: 'Receiver', message: 'The request has failed due to a temporary failure of the server.' },
  SignatureDoesNotMatch: { status: 403, type: 'Sender', message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.' },
  Throttling: { status: 400, type: 'Sender', message: 'Rate exceeded' },
  UnmodifiableEntity: { status: 400, type: 'Sender', message: 'The request was rejected because it referenced an entity that cannot be modified.' },
  ValidationError: { status: 400, type: 'Sender', message: 'The input fails to satisfy the constraints specified by an AWS service.' },
} as const satisfies Record<string, ErrorSpec>;

/** The closed set of error codes. */
export type ErrorCode = keyof typeof ERRORS;

/** What an AccessDenied refused: the action and the resource it was asked for (for the audit trail). */
export interface Denial {
  readonly action: string;
  readonly resource: string;
}

export interface AwsErrorOptions {
  /** The failure underneath (kept for the log, never shown to the client). */
  readonly cause?: unknown;
  /** For AccessDenied from a policy decision: what was refused. */
  readonly denial?: Denial;
}

export class AwsError extends Error {
  readonly code: ErrorCode;
  readonly denial: Denial | undefined;

  constructor(code: ErrorCode, message?: string, options?: AwsErrorOptions) {
    super(message ?? ERRORS[code].message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AwsError';
    this.code = code;
    this.denial = options?.denial;
  }

  get status(): number {
    return ERRORS[this.code].status;
  }

  get type(): 'Sender' | 'Receiver' {
    return ERRORS[this.code].type;
  }
}

/** Anything thrown, as the error the client may see. Unknown failures reveal nothing. */
export function toAwsError(err: unknown): AwsError {
  return err instanceof AwsError ? err : new AwsError('InternalFailure', undefined, { cause: err });
}
