import type { OperationDef } from '../operation.js';

export const attachmentOperations: readonly OperationDef[] = [];
