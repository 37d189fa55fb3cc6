/**
 * GetAccessKeyInfo: the account an access key id belongs to (STS API Reference). AWS answers
 * whatever the key's state ("the key might be active, inactive, or deleted"), and for any
 * account's key, not only the caller's.
 *
 * - `AKIA…` (long-term): looked up in the access keys table, active or not.
 * - `ASIA…` (temporary): nothing is stored for them (a session lives only in its sealed token), so
 *   without the token the only one we can place is the caller's own key id: it belongs to the
 *   caller's account (the role's account for a role session).
 * - Anything else (never issued, deleted, another session's key): AWS says a deleted key "might
 *   return an error that the key doesn't exist", and its common error for a key id that "does not
 *   exist in our records" is InvalidClientTokenId (STS API Reference, Common Errors).
 *
 * Authorized like any action (`sts:GetAccessKeyInfo`, no resource types, so `*`): unlike
 * GetCallerIdentity and GetSessionToken, AWS documents no exemption from policies for it.
 */
import { AwsError } from '../errors.js';
import { defineOperation, type OperationDef } from '../operation.js';
import { findAccessKey } from '../store/access-keys.js';

interface Input {
  readonly accessKeyId: string;
}

export const getAccessKeyInfo = defineOperation({
  name: 'GetAccessKeyInfo',
  action: 'sts:GetAccessKeyInfo',
  write: false,
  authorization: 'resource',
  resource: () => '*',
  handle: async (input: Input, ctx) => {
    const id = input.accessKeyId;
    if (id === ctx.caller.accessKeyId) return { account: ctx.accountId };
    const key = id.startsWith('AKIA') ? await findAccessKey(ctx.db, id) : undefined;
    if (!key) throw new AwsError('InvalidClientTokenId', 'The AWS access key ID provided does not exist in our records.');
    return { account: key.accountId };
  },
});

export const getAccessKeyInfoOperations: readonly OperationDef[] = [getAccessKeyInfo];
