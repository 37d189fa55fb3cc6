import type { OperationDef } from '../operation.js';

export const accountSummaryOperations: readonly OperationDef[] = [];
