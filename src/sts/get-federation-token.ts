import type { OperationDef } from '../operation.js';

export const getFederationTokenOperations: readonly OperationDef[] = [];
