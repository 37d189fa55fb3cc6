import type { OperationDef } from '../operation.js';

export const managedPolicyOperations: readonly OperationDef[] = [];
