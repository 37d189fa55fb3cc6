/**
 * The `PolicySourceArn` of SimulatePrincipalPolicy and GetContextKeysForPrincipalPolicy: the ARN
 * of an IAM user, group or role of the caller's account, whose policies the simulation reads.
 */
import { entityArn, parseUserGroupOrRoleArn } from '../arn.js';
import { AwsError } from '../errors.js';
import type { Db } from '../store/db.js';
import { entityPolicies, findEntity, type EntityKind, type EntityPolicies, type SimulationEntity } from '../store/policies/simulation.js';

export interface PolicySource {
  readonly entity: SimulationEntity;
  readonly arn: string;
  readonly policies: EntityPolicies;
}

function notFound(kind: EntityKind, name: string): AwsError {
  return new AwsError('NoSuchEntity', `The ${kind} with name ${name} cannot be found.`);
}

/** Resolve the ARN to the entity and its policies, or throw InvalidInput / NoSuchEntity. */
export async function resolvePolicySource(db: Db, accountId: string, arn: string): Promise<PolicySource> {
  const parts = parseUserGroupOrRoleArn(arn);
  if (!parts) throw new AwsError('InvalidInput', `Invalid PolicySourceArn ${arn}: it must be the ARN of an IAM user, group or role.`);
  const { accountId: account, kind, path, name } = parts;
  // Another account's entities are not visible here, whatever exists there.
  if (account !== accountId) throw notFound(kind, name);
  const entity = await findEntity(db, kind, accountId, name);
  // The ARN names the entity only with its real path (IAM ARNs carry the path).
  if (!entity || entity.path !== path) throw notFound(kind, name);
  return { entity, arn: entityArn(accountId, kind, entity.path, entity.name), policies: await entityPolicies(db, entity) };
}
