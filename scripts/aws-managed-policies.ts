/**
 * Regenerates aws-managed/policies.json from a checkout of z0ph/MAMIP (a repository that
 * records AWS managed policies as AWS's own API returns them: `policies-list.json` is ListPolicies
 * with Scope=AWS, `policies/NAME` is GetPolicyVersion of the default version).
 *
 *   npx tsx scripts/aws-managed-policies.ts /path/to/MAMIP [commit]
 *
 * The set is the names in NAMES below (why not all ~1,300: aws-managed/README.md). Adding
 * one is adding its name and running this again; the service picks up the change at its next
 * migrate (new policies inserted, changed versions replaced, see store/policies/aws-managed.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Policy names (unique among AWS managed policies); the path comes from the source. */
const NAMES = [
  // Whole-account job roles.
  'AdministratorAccess',
  'PowerUserAccess',
  'ReadOnlyAccess',
  'SecurityAudit',
  'AWSSupportAccess',
  'AWSBillingReadOnlyAccess',
  // /job-function/
  'Billing',
  'DatabaseAdministrator',
  'DataScientist',
  'NetworkAdministrator',
  'SupportUser',
  'SystemAdministrator',
  'ViewOnlyAccess',
  // IAM itself.
  'IAMFullAccess',
  'IAMReadOnlyAccess',
  'IAMUserChangePassword',
  // The services tutorials start with.
  'AmazonS3FullAccess',
  'AmazonS3ReadOnlyAccess',
  'AmazonEC2FullAccess',
  'AmazonEC2ReadOnlyAccess',
  'AmazonEC2ContainerRegistryReadOnly',
  'AWSLambda_FullAccess',
  'AWSLambda_ReadOnlyAccess',
  'AmazonDynamoDBFullAccess',
  'AmazonDynamoDBReadOnlyAccess',
  'AmazonSQSFullAccess',
  'AmazonSNSFullAccess',
  'AmazonRDSFullAccess',
  'AmazonVPCFullAccess',
  'CloudWatchFullAccess',
  'CloudWatchReadOnlyAccess',
  'CloudWatchLogsFullAccess',
  'CloudWatchLogsReadOnlyAccess',
  'AWSCloudFormationFullAccess',
  'AWSCloudFormationReadOnlyAccess',
  'AWSKeyManagementServicePowerUser',
  'AmazonSSMManagedInstanceCore',
  'AmazonSSMReadOnlyAccess',
  // /service-role/: what execution roles attach.
  'AWSLambdaBasicExecutionRole',
  'AWSLambdaVPCAccessExecutionRole',
  'AWSLambdaRole',
  'AmazonECSTaskExecutionRolePolicy',
];

interface ListedPolicy {
  PolicyName: string;
  PolicyId: string;
  Arn: string;
  Path: string;
  CreateDate: string;
}

interface VersionFile {
  PolicyVersion: { VersionId: string; CreateDate: string; Document: unknown; IsDefaultVersion: boolean };
}

const [checkout, commit = 'unknown'] = process.argv.slice(2);
if (!checkout) {
  process.stderr.write('usage: npx tsx scripts/aws-managed-policies.ts /path/to/MAMIP [commit]\n');
  process.exit(2);
}

const listed = (JSON.parse(readFileSync(join(checkout, 'policies-list.json'), 'utf8')) as { Policies: ListedPolicy[] }).Policies;
const byName = new Map(listed.map((p) => [p.PolicyName, p]));

/** AWS's timestamps as ISO 8601 UTC with milliseconds, as the service stores dates. */
const iso = (text: string): string => new Date(text).toISOString();

const policies = NAMES.map((name) => {
  const p = byName.get(name);
  if (!p) throw new Error(`${name} is not in ${checkout}/policies-list.json`);
  // The version file is newer than the list when the two disagree: its version wins.
  const { PolicyVersion: v } = JSON.parse(readFileSync(join(checkout, 'policies', name), 'utf8')) as VersionFile;
  if (!v.IsDefaultVersion) throw new Error(`${name}: policies/${name} is not the default version`);
  if (p.Arn !== `arn:aws:iam::aws:policy${p.Path}${name}`) throw new Error(`${name}: unexpected ARN ${p.Arn}`);
  return {
    name,
    policyId: p.PolicyId,
    path: p.Path,
    versionId: v.VersionId,
    createDate: iso(p.CreateDate),
    updateDate: iso(v.CreateDate),
    document: v.Document,
  };
});

const out = { source: `https://github.com/z0ph/MAMIP at ${commit}`, policies };
writeFileSync(new URL('../aws-managed/policies.json', import.meta.url), `${JSON.stringify(out, null, 1)}\n`);
process.stdout.write(`${policies.length} policies written\n`);
