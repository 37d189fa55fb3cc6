import type { OperationDef } from '../operation.js';

export const getAccessKeyInfoOperations: readonly OperationDef[] = [];
