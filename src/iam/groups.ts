import type { OperationDef } from '../operation.js';

export const groupOperations: readonly OperationDef[] = [];
