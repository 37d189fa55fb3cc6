/**
 * The `https://aws.amazon.com/SAML/Attributes/Role` attribute (Name case-sensitive): values
 * `role-arn,provider-arn`, in either order (IAM User Guide, "Configure SAML assertions for the
 * authentication response"). The requested role and provider must be one of the pairs; a pair
 * naming another role, another provider or another account's role grants nothing.
 */
import { AwsError } from '../../errors.js';

export const ROLE_ATTRIBUTE = 'https://aws.amazon.com/SAML/Attributes/Role';

export interface RolePair {
  readonly roleArn: string;
  readonly providerArn: string;
}

const ROLE = /^arn:[^:]+:iam::\d{12}:role\/.+$/;
const PROVIDER = /^arn:[^:]+:iam::\d{12}:saml-provider\/[\w.-]+$/;

/** The pairs the values name; a value that is not exactly one role ARN and one provider ARN is skipped. */
export function rolePairs(values: readonly string[]): RolePair[] {
  const pairs: RolePair[] = [];
  for (const value of values) {
    const parts = value.split(',').map((p) => p.trim());
    if (parts.length !== 2) continue;
    const [a = '', b = ''] = parts;
    if (ROLE.test(a) && PROVIDER.test(b)) pairs.push({ roleArn: a, providerArn: b });
    else if (PROVIDER.test(a) && ROLE.test(b)) pairs.push({ roleArn: b, providerArn: a });
  }
  return pairs;
}

export function checkRolePair(attributes: ReadonlyMap<string, readonly string[]>, requested: RolePair): void {
  const pairs = rolePairs(attributes.get(ROLE_ATTRIBUTE) ?? []);
  if (!pairs.some((p) => p.roleArn === requested.roleArn && p.providerArn === requested.providerArn)) {
    throw new AwsError('InvalidIdentityToken', 'Invalid SAML response: the Role attribute does not name the requested role and provider.');
  }
}
