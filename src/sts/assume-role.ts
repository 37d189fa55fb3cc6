import type { OperationDef } from '../operation.js';

export const assumeRoleOperations: readonly OperationDef[] = [];
