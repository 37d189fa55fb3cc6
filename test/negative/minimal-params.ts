/**
 * The smallest parameter set that passes an operation's input validation, built from the model:
 * every required member (recursively), each with a value that satisfies its type, length, range,
 * pattern and enum. A few members need a value no generic rule finds (ARNs, policy documents,
 * fixed-format ids): those are listed by member or shape name below. A member that neither fits
 * throws, naming itself, so a new operation in the model gets an override rather than a silent
 * ValidationError.
 */
import type { Member, Operation, Shape, StructureShape } from '../../src/protocol/index.js';
import type { Param } from './wire.js';

/** A policy AWS's validator accepts for any identity-policy parameter. */
export const TINY_POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}';
const TRUST_POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}';

type Fixed = (accountId: string) => string;

/** By member name: values whose meaning no constraint in the model captures. */
const BY_MEMBER: Readonly<Record<string, Fixed>> = {
  AssumeRolePolicyDocument: () => TRUST_POLICY,
  PolicyArn: (a) => `arn:aws:iam::${a}:policy/negative-policy`,
  PermissionsBoundary: (a) => `arn:aws:iam::${a}:policy/negative-policy`,
  OpenIDConnectProviderArn: (a) => `arn:aws:iam::${a}:oidc-provider/oidc.example.com`,
  SAMLProviderArn: (a) => `arn:aws:iam::${a}:saml-provider/negative`,
  SerialNumber: (a) => `arn:aws:iam::${a}:mfa/negative`,
  // One name for managed and inline policies, so that the ARN above names what CreatePolicy made.
  PolicyName: () => 'negative-policy',
  AccessKeyId: () => 'AKIAIOSFODNN7EXAMPLE',
  AccountAlias: () => 'negative-alias',
  JobId: () => '00000000-0000-4000-8000-000000000000',
  EntityPath: () => 'o-abcdefghij/r-abcd',
  Url: () => 'https://oidc.example.com',
  NewPassword: () => 'Negative-Passw0rd!',
  OldPassword: () => 'Negative-Passw0rd!',
  SAMLMetadataDocument: () => `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="negative">${' '.repeat(1000)}</EntityDescriptor>`,
};

/** By operation and member, where one operation means something else by a shared member. */
const BY_OPERATION: Readonly<Record<string, Fixed>> = {
  'UpdateAssumeRolePolicy.PolicyDocument': () => TRUST_POLICY,
};

/** By shape name, when the member name alone does not say it. */
const BY_SHAPE: Readonly<Record<string, Fixed>> = {
  policyDocumentType: () => TINY_POLICY,
  arnType: (a) => `arn:aws:iam::${a}:user/negative`,
  ActionNameType: () => 'iam:GetUser',
  // A SHA-1 in hex: a thumbprint root's calls can store.
  thumbprintType: () => 'a'.repeat(40),
};

/** Generic strings tried in order, each stretched or cut to the shape's length bounds. */
const CANDIDATES = ['negative', 'v1', '123456', 'Negative1', 'negative-value'];

export interface GenerateOptions {
  /** Every generic string (and number) at its largest valid size instead of its smallest. */
  readonly longest?: boolean;
}

/** Strings longer than this are not stretched to their maximum (policy documents: 128 KiB). */
const LONGEST_CAP = 4096;

interface Gen {
  readonly accountId: string;
  readonly longest: boolean;
  readonly out: Param[];
}

export function minimalParams(operation: Operation, accountId: string, options: GenerateOptions = {}): Param[] {
  const gen: Gen = { accountId, longest: options.longest ?? false, out: [] };
  if (operation.input) structure(gen, operation.input, '', operation.name);
  return gen.out;
}

function structure(gen: Gen, shape: StructureShape, prefix: string, where: string): void {
  // A required structure with no required member of its own (DelegationPermission) still needs
  // one member on the wire to be present at all: its first string member.
  const required = shape.members.filter((m) => m.required);
  const firstString = shape.members.find((m) => m.shape.type === 'string');
  const chosen = required.length > 0 || prefix === '' || !firstString ? required : [firstString];
  for (const member of chosen) {
    value(gen, member, member.shape, `${prefix}${member.wireName}`, `${where}.${member.name}`);
  }
}

function value(gen: Gen, member: Member, shape: Shape, name: string, where: string): void {
  switch (shape.type) {
    case 'structure':
      structure(gen, shape, `${name}.`, where);
      return;
    case 'list': {
      const base = shape.flattened ? name : `${name}.${shape.memberName}`;
      for (let i = 1; i <= Math.max(1, shape.min ?? 1); i++) value(gen, member, shape.member, `${base}.${i}`, where);
      return;
    }
    case 'map': {
      const base = shape.flattened ? `${name}.1` : `${name}.entry.1`;
      value(gen, member, shape.key, `${base}.${shape.keyName}`, where);
      value(gen, member, shape.value, `${base}.${shape.valueName}`, where);
      return;
    }
    case 'string':
      gen.out.push([name, stringValue(gen, member, shape, where)]);
      return;
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      gen.out.push([name, String(gen.longest && shape.max !== undefined ? shape.max : (shape.min ?? Math.min(1, shape.max ?? 1)))]);
      return;
    case 'boolean':
      gen.out.push([name, 'false']);
      return;
    case 'timestamp':
      gen.out.push([name, new Date().toISOString()]);
      return;
    case 'blob':
      gen.out.push([name, Buffer.from('negative').toString('base64')]);
      return;
  }
}

function stringValue(gen: Gen, member: Member, shape: Extract<Shape, { type: 'string' }>, where: string): string {
  // A member's own override applies to the member, not to the elements of a list it holds.
  const own = member.shape === shape ? (BY_OPERATION[where] ?? BY_MEMBER[member.name]) : undefined;
  const fixed = own ?? BY_SHAPE[shape.name];
  if (fixed) return fixed(gen.accountId);
  const first = shape.enum?.[0];
  if (first !== undefined) return first;
  // Longest first when asked, else (or when no candidate repeats into the pattern) shortest.
  const lengths = gen.longest ? [Math.max(Math.min(shape.max ?? 0, LONGEST_CAP), shape.min ?? 0), shape.min ?? 0] : [shape.min ?? 0];
  for (const min of lengths) {
    for (const candidate of CANDIDATES) {
      const v = fit(candidate, min, shape.max);
      if (!shape.pattern || shape.pattern.test(v)) return v;
    }
  }
  throw new Error(`minimal-params: no value for ${where} (${shape.name} /${shape.pattern?.source ?? ''}/): add an override`);
}

function fit(s: string, min: number, max = Infinity): string {
  let v = s;
  while (v.length < min) v += s;
  return v.slice(0, Math.max(min, Math.min(v.length, max)));
}
