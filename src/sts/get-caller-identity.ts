/** GetCallerIdentity: who signed the request. Never denied, whatever the policies say. */
import { defineOperation } from '../operation.js';

export const getCallerIdentity = defineOperation('GetCallerIdentity', {
  authentication: 'sigv4',
  write: false,
  authorization: 'none',
  offline: true,
  resource: () => '*',
  handle: async (_input, ctx) => ({ userId: ctx.caller.userId, account: ctx.accountId, arn: ctx.caller.arn }),
});
