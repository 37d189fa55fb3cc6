import { AwsError } from '../errors.js';
import { parseAuthorizationHeader } from './authorization-header.js';
import { canonicalHeaderLines, headerValues, lowercaseHeaders, type HeaderValues } from './canonical-headers.js';
import { canonicalQueryString } from './canonical-query.js';
import { canonicalRequest } from './canonical-request.js';
import { canonicalUri } from './canonical-uri.js';
import { checkCredentialScope } from './credential-scope.js';
import { credentialScope, parseCredential } from './credential.js';
import { hashedPayload } from './hashed-payload.js';
import { parsePresignedQuery } from './presigned-query.js';
import { checkClockSkew, checkPresignedWindow, requireAmzDate } from './request-time.js';
import { parseSignedHeaders, requireSignedHeaders } from './signed-headers.js';
import { stringToSign } from './string-to-sign.js';
import type { AllowedScope, ParsedSignedRequest, SigV4Request } from './types.js';

/** What either kind of request says about its own signature. */
interface Claimed {
  readonly credential: string;
  readonly amzDate: string | undefined;
  readonly signedHeaders: string;
  readonly signature: string;
  readonly securityToken: string | undefined;
  readonly presigned: boolean;
  readonly expires: number;
}

/** A header's values joined as one (a header sent twice is joined with ','). */
function single(headers: HeaderValues, name: string): string | undefined {
  const values = headerValues(headers, name);
  if (values === undefined) return undefined;
  return values.length === 1 ? values[0] : values.join(',');
}

/** Step 1: which mechanism the request uses, and its raw claims. */
function claimedSignature(req: SigV4Request, headers: HeaderValues): Claimed {
  const authorization = (single(headers, 'authorization') ?? '').trim();
  const presigned = req.query === '' ? undefined : parsePresignedQuery(req.query);
  if (authorization !== '' && presigned !== undefined) {
    throw new AwsError(
      'IncompleteSignature',
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified',
    );
  }
  if (presigned !== undefined) {
    const { credential, amzDate, signedHeaders, signature, securityToken, expires } = presigned;
    return { credential, amzDate, signedHeaders, signature, securityToken, presigned: true, expires };
  }
  if (authorization === '') throw new AwsError('MissingAuthenticationToken');
  const header = parseAuthorizationHeader(authorization);
  const amzDate = single(headers, 'x-amz-date');
  if (amzDate === undefined) {
    throw new AwsError('IncompleteSignature', "Authorization header requires existence of a 'X-Amz-Date' header.");
  }
  const token = (single(headers, 'x-amz-security-token') ?? '').trim();
  const { credential, signedHeaders, signature } = header;
  return { credential, amzDate, signedHeaders, signature, securityToken: token === '' ? undefined : token, presigned: false, expires: 0 };
}

/**
 * Everything that can be checked without the secret, in AWS's order: mechanism and shape
 * (MissingAuthenticationToken, IncompleteSignature), time (SignatureDoesNotMatch "Signature
 * expired…", RequestExpired), scope (SignatureDoesNotMatch); then the string to sign. The caller
 * looks up the secret for `accessKeyId` and calls verifySignature().
 */
export function parseSignedRequest(req: SigV4Request, now: number, allowed: AllowedScope): ParsedSignedRequest {
  const headers = lowercaseHeaders(req.headers);
  const claimed = claimedSignature(req, headers);
  const credential = parseCredential(claimed.credential);
  const signedHeaders = parseSignedHeaders(claimed.signedHeaders);
  requireSignedHeaders(signedHeaders, claimed.presigned ? ['host'] : ['host', 'x-amz-date']);
  const amzDate = claimed.amzDate ?? '';
  const requestTime = requireAmzDate(claimed.amzDate);
  if (claimed.presigned) checkPresignedWindow(requestTime, claimed.expires, now);
  else checkClockSkew(requestTime, now);
  checkCredentialScope(credential, amzDate, allowed);

  const request = canonicalRequest({
    method: req.method,
    canonicalUri: canonicalUri(req.path),
    canonicalQuery: canonicalQueryString(req.query, { presigned: claimed.presigned }),
    canonicalHeaders: canonicalHeaderLines(headers, signedHeaders),
    signedHeaders,
    hashedPayload: hashedPayload(req.body),
  });
  return {
    accessKeyId: credential.accessKeyId,
    region: credential.region,
    service: credential.service,
    securityToken: claimed.securityToken,
    signedHeaders,
    presigned: claimed.presigned,
    requestTime,
    scopeDate: credential.date,
    stringToSign: stringToSign(amzDate, credentialScope(credential), request),
    signature: claimed.signature,
  };
}
