/** The IAM operations this service implements, by wire name. */
import type { OperationDef } from '../operation.js';
import { createUser, getUser, listUsersOp } from './users.js';

export const IAM_VERSION = '2010-05-08';

export const iamOperations: readonly OperationDef[] = [createUser, getUser, listUsersOp];
