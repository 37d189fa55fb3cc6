import type { OperationDef } from '../operation.js';

export const inlinePolicyOperations: readonly OperationDef[] = [];
