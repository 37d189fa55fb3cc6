import type { OperationDef } from '../operation.js';

export const getSessionTokenOperations: readonly OperationDef[] = [];
