/**
 * ARN patterns: validation of Resource elements and Arn* condition values, and their matcher.
 * Matching follows the IAM User Guide ("Resource"): wildcards work within colon-delimited
 * segments, and a `*` that is the last character of a segment can expand across colons.
 */
import type { RequestContext } from './context.js';
import { compileTemplate, resolveTemplate, type Template } from './template.js';
import { compileWildcard, matchWildcard, type Matcher } from './wildcard.js';

/** AWS's partitions; a deployment of this service uses `aws`, but documents may name any. */
const PARTITIONS = new Set(['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc']);
const SERVICE = /^[A-Za-z0-9-]+$/;

/** The MalformedPolicyDocument message for a bad Resource/NotResource value, or undefined. */
export function resourceFormatError(value: string): string | undefined {
  if (value === '*') return undefined;
  const parts = value.split(':');
  if (parts.length < 2 || parts[0] !== 'arn') return `Resource ${value} must be in ARN format or "*".`;
  const partition = parts[1] as string;
  if (!PARTITIONS.has(partition)) return `Partition "${partition}" is not valid for resource "${value}".`;
  const service = parts[2];
  if (service === undefined || !SERVICE.test(service) || (parts.length < 6 && !value.endsWith('*'))) {
    return 'Resource vendor must be fully qualified and cannot contain regexes.';
  }
  return undefined;
}

/** The message for a bad Arn* condition value, or undefined. A value may be a lone variable. */
export function conditionArnError(value: string, variables: boolean): string | undefined {
  if (variables && value.startsWith('${')) return undefined;
  const parts = value.split(':');
  if (parts[0] !== 'arn' || (parts.length < 6 && !value.endsWith('*'))) return `Invalid ARN in condition value: ${value}`;
  return undefined;
}

/** A Resource entry or an Arn* condition value, compiled. */
export interface ArnPattern {
  readonly template: Template;
  /** Present when the pattern has no variables. */
  readonly matcher: Matcher | undefined;
}

export function compileArnPattern(text: string, variables: boolean): ArnPattern {
  const template = compileTemplate(text, variables, 'arn');
  return { template, matcher: template.constant === undefined ? undefined : compileWildcard(template.constant) };
}

/**
 * Does the pattern match `input`? A pattern holding a variable with no value is null and matches
 * nothing (IAM User Guide, "Policy variables with no value": it "will not match any resource").
 */
export function matchArnPattern(p: ArnPattern, input: string, ctx: RequestContext): boolean {
  if (p.matcher) return p.matcher(input);
  const resolved = resolveTemplate(p.template, ctx);
  return resolved !== undefined && matchWildcard(resolved, input);
}
