/**
 * The `PolicySourceArn` of SimulatePrincipalPolicy and GetContextKeysForPrincipalPolicy: the ARN
 * of an IAM user, group or role of the caller's account, whose policies the simulation reads.
 */
import { AwsError } from '../errors.js';
import type { Db } from '../store/db.js';
import { entityPolicies, findEntity, type EntityKind, type EntityPolicies, type SimulationEntity } from '../store/simulation.js';

const SOURCE_ARN = /^arn:aws:iam::(\d{12}):(user|group|role)(\/(?:[\x21-\x7e]*\/)?)([\w+=,.@-]+)$/;

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
  const m = SOURCE_ARN.exec(arn);
  if (!m) throw new AwsError('InvalidInput', `Invalid PolicySourceArn ${arn}: it must be the ARN of an IAM user, group or role.`);
  const [, account, kind, path, name] = m as unknown as [string, string, EntityKind, string, string];
  // Another account's entities are not visible here, whatever exists there.
  if (account !== accountId) throw notFound(kind, name);
  const entity = await findEntity(db, kind, accountId, name);
  // The ARN names the entity only with its real path (IAM ARNs carry the path).
  if (!entity || entity.path !== path) throw notFound(kind, name);
  return { entity, arn: `arn:aws:iam::${accountId}:${kind}${entity.path}${entity.name}`, policies: await entityPolicies(db, entity) };
}
