/**
 * The AWS Query protocol, transport-neutral: decoded parameters in, an operation and its
 * validated camelCase input out; a result or an AwsError in, XML and an HTTP status out.
 * See README.md beside this file for the choices made where AWS's behaviour is unknown.
 */
import type { Param } from './form.js';
import type { Operation, ServiceModel } from './model.js';
import { checkParams, parseQuery, type Input } from './parse-query.js';
import { resolveOperation, type Services } from './services.js';
import { validateInput } from './validate.js';

export { decodeForm, MAX_PARAMETERS, type Param } from './form.js';
export { loadModel, type Member, type ModelAuthentication, type Operation, type ServiceModel, type Shape, type StructureShape } from './model.js';
export type { ModelOperations, OperationAuthentication, OperationInput, OperationName, OperationOutput } from './operation-types.js';
export { toCamel, toPathName } from './names.js';
export { checkParams, parseQuery, type Input } from './parse-query.js';
export { compilePattern, type CompiledPattern } from './pattern.js';
export { renderError, renderResult, type RenderedResponse } from './render.js';
export { API_VERSIONS, createServices, loadServices, resolveOperation, type Resolved, type Services } from './services.js';
export { validateInput } from './validate.js';

export interface DecodedRequest {
  readonly service: ServiceModel;
  readonly operation: Operation;
  readonly input: Input;
}

/** Find the operation (Action + Version), parse its parameters and validate them; throws AwsError. */
export function decodeRequest(services: Services, params: readonly Param[]): DecodedRequest {
  checkParams(params);
  const action = params.find(([name]) => name === 'Action')?.[1];
  const version = params.find(([name]) => name === 'Version')?.[1];
  const { service, operation } = resolveOperation(services, action, version);
  const input = parseQuery(operation.input, params);
  validateInput(operation.input, input);
  return { service, operation, input };
}

/** The XML namespace for an error response, when the request named a known Version. */
export function namespaceFor(services: Services, params: readonly Param[]): string | undefined {
  const version = params.find(([name]) => name === 'Version')?.[1];
  return version === undefined ? undefined : services.byVersion.get(version)?.xmlNamespace;
}
