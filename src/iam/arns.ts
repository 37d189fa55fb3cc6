/** ARNs of IAM entities, as AWS writes them: the path sits between the type and the name. */
export type EntityType = 'user' | 'group' | 'role' | 'policy';

export function entityArn(accountId: string, type: EntityType, path: string, name: string): string {
  return `arn:aws:iam::${accountId}:${type}${path}${name}`;
}

export function rootArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:root`;
}

/** `arn:aws:iam::ACCOUNT:policy/path/name` → its parts, or undefined if it is not a policy ARN. */
export function parsePolicyArn(arn: string): { accountId: string; path: string; name: string } | undefined {
  const m = /^arn:aws:iam::(\d{12}|aws):policy(\/(?:[\x21-\x7e]*\/)?)([\w+=,.@-]+)$/.exec(arn);
  if (!m) return undefined;
  return { accountId: m[1] as string, path: m[2] as string, name: m[3] as string };
}
