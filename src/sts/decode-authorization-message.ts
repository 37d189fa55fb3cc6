/**
 * DecodeAuthorizationMessage: the details behind an AccessDenied's "Encoded authorization failure
 * message", for a caller allowed `sts:DecodeAuthorizationMessage` (STS API Reference: "a user must
 * be granted permissions through an IAM policy"; the action has no resource types, so `*`).
 * Only messages sealed for the caller's own account open (src/auth/authorization-message.ts).
 * Whatever this node's AUTHORIZATION_FAILURE_MESSAGES says: a message issued while the setting was
 * on, or by another node that has it on, still decodes here.
 */
import { AwsError } from '../errors.js';
import { defineOperation, type DefinedOperation } from '../operation.js';
import { decodeAuthorizationMessage } from '../auth/authorization-message.js';

export const decodeAuthorizationMessageOperation = defineOperation('DecodeAuthorizationMessage', {
  authentication: 'sigv4',
  write: false,
  authorization: 'resource',
  resource: () => '*',
  handle: async (input, ctx, deps) => {
    const details = decodeAuthorizationMessage(deps.keyring, ctx.accountId, input.encodedMessage);
    // AWS: the message is invalid when it "contains invalid characters, such as line breaks", or has expired.
    if (!details) throw new AwsError('InvalidAuthorizationMessageException', 'The encoded authorization message is invalid.');
    return { decodedMessage: JSON.stringify(details) };
  },
});

export const decodeAuthorizationMessageOperations: readonly DefinedOperation[] = [decodeAuthorizationMessageOperation];
