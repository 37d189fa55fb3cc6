/**
 * The registry of services this endpoint answers: one endpoint serves both, told apart by
 * `Version` (IAM `2010-05-08`, STS `2011-06-15`), and within one by `Action`.
 */
import { AwsError } from '../errors.js';
import { loadModel, type Operation, type ServiceModel } from './model.js';
import iamModel from './models/iam.json' with { type: 'json' };
import stsModel from './models/sts.json' with { type: 'json' };

/** Each service's API version (the `Version` its requests name), from its model. */
export const API_VERSIONS = { iam: iamModel.metadata.apiVersion, sts: stsModel.metadata.apiVersion } as const;

export interface Services {
  readonly byVersion: ReadonlyMap<string, ServiceModel>;
}

export interface Resolved {
  readonly service: ServiceModel;
  readonly operation: Operation;
}

/** Load and resolve the STS and IAM models (once, in the composition root). */
export function loadServices(): Services {
  return createServices([loadModel(stsModel), loadModel(iamModel)]);
}

export function createServices(models: readonly ServiceModel[]): Services {
  return { byVersion: new Map(models.map((m) => [m.apiVersion, m])) };
}

/**
 * The operation named by `Action` in the API version `Version`. AWS answers an unknown pair with
 * `InvalidAction: Could not find operation X for version Y`, and a request without Action with
 * `MissingAction`. Without Version AWS names the version NO_VERSION_SPECIFIED.
 */
export function resolveOperation(services: Services, action: string | undefined, version: string | undefined): Resolved {
  if (action === undefined || action === '') throw new AwsError('MissingAction');
  const service = version === undefined ? undefined : services.byVersion.get(version);
  const operation = service?.operations.get(action);
  if (!service || !operation) {
    const shown = version === undefined || version === '' ? 'NO_VERSION_SPECIFIED' : version;
    throw new AwsError('InvalidAction', `Could not find operation ${clip(action)} for version ${clip(shown)}`);
  }
  return { service, operation };
}

function clip(s: string): string {
  return s.length > 128 ? `${s.slice(0, 128)}…` : s;
}
