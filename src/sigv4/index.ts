/**
 * SigV4 request verification: pure, node:crypto only, no IO and no clock. One function per step
 * of https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html (read in
 * reverse: we rebuild what the client signed and compare).
 */
export type { AllowedScope, Credential, HeaderRecord, ParsedSignedRequest, PlainSigV4Request, SigV4Identity, SigV4Request } from './types.js';
export { parseAuthorizationHeader, type AuthorizationHeader } from './authorization-header.js';
export { parsePresignedQuery, parseExpires, MAX_EXPIRES_SECONDS, type PresignedQuery } from './presigned-query.js';
export { parseCredential, credentialScope } from './credential.js';
export { checkCredentialScope } from './credential-scope.js';
export { parseAmzDate, formatAmzDate, checkClockSkew, checkPresignedWindow, MAX_SKEW_MS } from './request-time.js';
export { uriEncode, percentDecode } from './uri-encode.js';
export { canonicalUri } from './canonical-uri.js';
export { canonicalQueryString } from './canonical-query.js';
export { canonicalHeaders, canonicalHeaderValue, rawHeaderMap, type HeaderMap } from './canonical-headers.js';
export { parseSignedHeaders, requireSignedHeaders } from './signed-headers.js';
export { hashedPayload } from './hashed-payload.js';
export { canonicalRequest, type CanonicalRequestParts } from './canonical-request.js';
export { stringToSign } from './string-to-sign.js';
export { deriveSigningKey, type DeriveSigningKey } from './signing-key.js';
export { computeSignature, verifySignature } from './signature.js';
export { constantTimeEqual, constantTimeEqualHex } from './constant-time.js';
export { parseSignedRequest } from './parse-signed-request.js';
export { identityOf, verify, verifyRequest, type Signer, type Verified, type VerifyOptions } from './verify.js';
