import type { OperationDef } from '../operation.js';

export const simulateOperations: readonly OperationDef[] = [];
