import type { OperationDef } from '../operation.js';

export const policyVersionOperations: readonly OperationDef[] = [];
