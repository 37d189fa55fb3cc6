import type { OperationDef } from '../operation.js';

export const accessKeyOperations: readonly OperationDef[] = [];
