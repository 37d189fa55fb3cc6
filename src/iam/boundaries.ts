import type { OperationDef } from '../operation.js';

export const boundaryOperations: readonly OperationDef[] = [];
