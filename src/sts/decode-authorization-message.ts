import type { OperationDef } from '../operation.js';

export const decodeAuthorizationMessageOperations: readonly OperationDef[] = [];
