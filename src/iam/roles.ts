import type { OperationDef } from '../operation.js';

export const roleOperations: readonly OperationDef[] = [];
