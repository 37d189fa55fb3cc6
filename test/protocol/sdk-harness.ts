/**
 * A real AWS SDK client whose transport is this process: the SDK serialises a request, we decode
 * it with src/protocol, and the SDK deserialises the XML we render. Nothing of ours is mocked;
 * only the socket is replaced.
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { decodeForm, decodeRequest, loadServices, namespaceFor, renderError, renderResult, type DecodedRequest } from '../../src/protocol/index.js';
import { AwsError } from '../../src/errors.js';

export const services = loadServices();

export type Handler = (req: DecodedRequest) => unknown;

interface SdkRequest {
  body?: unknown;
  headers: Record<string, string>;
}

/** Handles one SDK request: decode, call `handler`, render (an AwsError becomes an error response). */
function respond(handler: Handler, req: SdkRequest): { statusCode: number; headers: Record<string, string>; body: Uint8Array } {
  const text = typeof req.body === 'string' ? req.body : '';
  const params = decodeForm(text);
  const requestId = 'c6104cbe-af31-11e0-8154-cbc7ccf896c7';
  let rendered;
  try {
    const decoded = decodeRequest(services, params);
    rendered = renderResult(decoded.operation, decoded.service.xmlNamespace, handler(decoded), requestId);
  } catch (err) {
    if (!(err instanceof AwsError)) throw err;
    rendered = renderError(err, requestId, namespaceFor(services, params));
  }
  return {
    statusCode: rendered.status,
    headers: { 'content-type': rendered.contentType, 'x-amzn-requestid': requestId },
    body: new TextEncoder().encode(rendered.body),
  };
}

function options(handler: Handler) {
  return {
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:8080',
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    maxAttempts: 1,
    requestHandler: {
      handle: async (req: SdkRequest) => ({ response: respond(handler, req) }),
    },
  };
}

export function stsClient(handler: Handler): STSClient {
  return new STSClient(options(handler));
}

export function iamClient(handler: Handler): IAMClient {
  return new IAMClient(options(handler));
}
