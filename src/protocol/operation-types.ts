/**
 * The operations of the service models as types, for handlers (src/operation.ts,
 * defineOperation): generated from the same botocore models as models/*.json by
 * scripts/extract-models.py, so a handler cannot read a member the model does not have, nor
 * return one it does not render.
 */
import type { IamOperations } from './models/iam.types.js';
import type { StsOperations } from './models/sts.types.js';

/** Every operation this endpoint's models describe, by name (no name is in both: checked by test/protocol/operation-types.test.ts). */
export type ModelOperations = IamOperations & StsOperations;
export type OperationName = keyof ModelOperations;
/** Operation `N`'s input as parse-query.ts makes it and validate.ts checks it (camelCase, optional members absent). */
export type OperationInput<N extends OperationName> = ModelOperations[N]['input'];
/** Operation `N`'s output as render.ts takes it. */
export type OperationOutput<N extends OperationName> = ModelOperations[N]['output'];
/** How the model says operation `N` is authenticated. */
export type OperationAuthentication<N extends OperationName> = ModelOperations[N]['authentication'];
