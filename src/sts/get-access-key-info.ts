/**
 * GetAccessKeyInfo: the account an access key id belongs to (STS API Reference). AWS answers
 * whatever the key's state ("the key might be active, inactive, or deleted"), for any account's
 * key and for temporary keys nobody stored, because the account is encoded in the key id
 * (src/iam/ids.ts). Incident responders ask it of a leaked key: "whose is this?".
 *
 * In order:
 * 1. `AKIA…` in our access keys table (active or not): its account. Exact, also for ids made
 *    before ids carried their account and for a root key id chosen with STS_ROOT_ACCESS_KEY_ID.
 * 2. The caller's own key id: the caller's account (the role's account for a role session). Exact
 *    for the caller's own session key whatever its format.
 * 3. Any other `AKIA`/`ASIA` id followed by 16 characters of the base32 alphabet whose generation
 *    bit is set: the account it encodes, as AWS answers it, with no database read. That is the
 *    account of every key id we issue now, deleted or expired, and the answer AWS would give for
 *    an AWS key id too; for an id nobody issued it is simply the number the id encodes, as on AWS.
 * 4. Everything else: InvalidClientTokenId, AWS's "does not exist in our records" (STS API
 *    Reference, Common Errors): ids of another form (`AIDA…`, lower case, other lengths), encoded
 *    numbers of 13 digits (no account has one), and ids of the old generation (fifth character
 *    A–P) that are not in our table. Those carry no account (AWS's own pre-2019 ids cannot be
 *    decoded either), so answering the number their random bits spell would name an arbitrary,
 *    possibly real, account to an incident responder. Our own old-format ids are long-term keys
 *    (found by 1.) or temporary ones issued before this version, which expired at most 36 hours
 *    after it was installed (129,600 s is the longest session); their issuance is in the audit
 *    trail (`npm run cli -- audit --action 'sts:*'`, the event's `accessKeyId` detail). Half of
 *    them have the generation bit set by chance and get the meaningless number of step 3: the
 *    price of answering new ids without a database read, for at most those 36 hours.
 *
 * Authorized like any action (`sts:GetAccessKeyInfo`, no resource types, so `*`): unlike
 * GetCallerIdentity and GetSessionToken, AWS documents no exemption from policies for it.
 * Malformed ids (shorter than 16, not `[\w]*`) never get here: the model's ValidationError.
 */
import { AwsError } from '../errors.js';
import { decodeAccessKeyId } from '../iam/ids.js';
import { defineOperation, type DefinedOperation } from '../operation.js';
import { findAccessKey } from '../store/access-keys.js';

export const getAccessKeyInfo = defineOperation('GetAccessKeyInfo', {
  authentication: 'sigv4',
  write: false,
  authorization: 'resource',
  resource: () => '*',
  handle: async (input, ctx) => {
    const id = input.accessKeyId;
    // The caller's own key needs no read: its account is the caller's.
    if (id === ctx.caller.accessKeyId) return { account: ctx.accountId };
    const stored = id.startsWith('AKIA') ? await findAccessKey(ctx.db, id) : undefined;
    if (stored) return { account: stored.accountId };
    const decoded = decodeAccessKeyId(id);
    if (decoded?.carriesAccount && decoded.accountId !== undefined) return { account: decoded.accountId };
    throw new AwsError('InvalidClientTokenId', 'The AWS access key ID provided does not exist in our records.');
  },
});

export const getAccessKeyInfoOperations: readonly DefinedOperation[] = [getAccessKeyInfo];
