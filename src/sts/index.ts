/** The STS operations this service implements: one file per action. */
import type { OperationDef } from '../operation.js';
import { getCallerIdentity } from './get-caller-identity.js';

export const STS_VERSION = '2011-06-15';

export const stsOperations: readonly OperationDef[] = [getCallerIdentity];
