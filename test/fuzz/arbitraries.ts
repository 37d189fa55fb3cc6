/**
 * Generators of hostile input (fast-check arbitraries), shared by the property suites in this
 * folder and by `npm run fuzz` (bench/fuzz.ts): text that is awkward for every layer (control
 * characters, lone surrogates, XML and JSON metacharacters, percent sequences, huge and empty
 * values), policy documents that are nearly valid, and AWS Query parameters that follow an
 * operation's input shape closely enough to get past the first checks.
 */
import fc from 'fast-check';
import type { Operation, Param, Services, Shape } from '../../src/protocol/index.js';
import { minimalParams } from '../negative/minimal-params.js';

export const IAM_VERSION = '2010-05-08';
export const STS_VERSION = '2011-06-15';

/** Any UTF-16 code unit: lone surrogates included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));

/** Values that have broken parsers before, somewhere. */
export const TRICKY = [
  '', ' ', '\t', '\n', '\r\n', '\u0000', '\u0085', '\u2028', '\ufeff', '\uffff', '\ud800', '\udc00x',
  '*', '?', '/', '//', '/../', '../../etc/passwd', '.', '..', '-', '+', '=', '&', '%', '%00', '%zz', '%c0%af', '%ED%A0%80',
  '<', '>', ']]>', '<![CDATA[x]]>', '&amp;', '&#0;', '&lt;', '"', "'", '\\', '${', '${aws:username}', '${*}', '$${}',
  '{}', '[]', 'null', 'true', 'false', '-1', '0', '1e400', '-0', 'NaN', 'Infinity', '0x10', '9'.repeat(40), '1.5', '٣',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty',
  'arn', 'arn:', 'arn:aws', 'arn:aws:iam::123456789012:root', 'arn:aws:iam::123456789012:user/alice', 'arn:aws:iam::123456789012:role/r',
  'arn:aws:iam::123456789012:policy/p', 'arn:aws:iam::aws:policy/AdministratorAccess', 'arn:aws:iam::*:user/*', 'arn:aws:sts::123456789012:assumed-role/r/s',
  'arn:aws:iam::1234567890123:user/x', 'arn:aws:iam::123456789012:user/' + 'a'.repeat(600), 'arn:aws:iam::123456789012:saml-provider/x',
  'AKIAIOSFODNN7EXAMPLE', 'ASIA' + 'A'.repeat(16), 'AKIA', 'us-east-1', '2011-06-15', '2010-05-08', 'Active', 'Inactive',
  'Tags.member.1.Key', 'member', 'entry', '\u0301', '👩‍👩‍👧', 'İ', 'ß', 'ﬀ',
] as const;

/** A value of some length a validator might not expect (the largest still fits in the 1 MiB body). */
const longText = fc.oneof(
  fc.constantFrom(64, 65, 128, 129, 512, 1025, 2049, 10_241, 65_536, 131_073).map((n) => 'a'.repeat(n)),
  fc.tuple(fc.constantFrom('x', '€', '\u0000', '%', ' ', '😀'), fc.integer({ min: 100, max: 20_000 })).map(([c, n]) => c.repeat(n)),
);

/** Text that is awkward for every layer. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...TRICKY), weight: 4 },
  { arbitrary: fc.string({ maxLength: 40 }), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: codeUnit, maxLength: 20 }), weight: 2 },
  { arbitrary: fc.stringMatching(/^[\w+=,.@-]{1,64}$/), weight: 3 },
  { arbitrary: fc.json({ maxDepth: 3 }), weight: 1 },
  { arbitrary: longText, weight: 1 },
  { arbitrary: fc.array(fc.constantFrom(...TRICKY), { maxLength: 6 }).map((parts) => parts.join('')), weight: 2 },
);

/* ------------------------------------------------------------------------------------------ */
/* Policy documents                                                                             */
/* ------------------------------------------------------------------------------------------ */

/** Condition operator families, each with values of its own type. */
const FAMILIES: ReadonlyArray<readonly [readonly string[], readonly string[]]> = [
  [['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringLike', 'StringNotLike'], ['*', 'a*', 'alice', '${aws:username}', "${aws:PrincipalTag/team, 'none'}", 'team-${aws:userid}', '']],
  [['NumericEquals', 'NumericLessThan', 'NumericGreaterThanEquals'], ['42', '-1', '1.5', '1700000000']],
  [['DateEquals', 'DateLessThan', 'DateGreaterThan'], ['2026-12-04T00:00:00Z', '2026-12-04', '1700000000']],
  [['Bool'], ['true', 'false']],
  [['BinaryEquals'], ['dGVzdA==']],
  [['IpAddress', 'NotIpAddress'], ['10.0.0.0/8', '203.0.113.7', '::1/128', '2001:db8::/32']],
  [['ArnEquals', 'ArnLike', 'ArnNotLike'], ['arn:aws:iam::*:role/*', 'arn:aws:iam::123456789012:user/${aws:username}']],
];
const conditionKey = fc.constantFrom('aws:username', 'aws:PrincipalTag/team', 'aws:RequestTag/${aws:username}', 'aws:SourceIp', 'aws:CurrentTime', 'aws:EpochTime',
  'aws:SecureTransport', 'aws:MultiFactorAuthPresent', 'aws:TagKeys', 'sts:ExternalId', 'iam:PassedToService', 'aws:PrincipalArn', 's3:prefix', 'aws:userid');
const conditionBlock = fc.constantFrom(...FAMILIES).chain(([ops, values]) =>
  fc.tuple(
    fc.constantFrom('', '', 'ForAnyValue:', 'ForAllValues:'),
    fc.constantFrom(...ops),
    fc.constantFrom('', '', 'IfExists'),
    fc.dictionary(conditionKey, fc.oneof(fc.constantFrom(...values), fc.array(fc.constantFrom(...values), { minLength: 1, maxLength: 3 })), { minKeys: 1, maxKeys: 2 }),
  ),
);
const condition = fc.array(conditionBlock, { minLength: 1, maxLength: 2 }).map((blocks) => {
  const out: Record<string, unknown> = {};
  for (const [set, op, exists, values] of blocks) out[`${set}${op}${exists}`] = values;
  return out;
});
const action = fc.constantFrom('*', 'iam:*', 'iam:Get*', 'iam:CreateUser', 'sts:AssumeRole', 'sts:TagSession', 's3:GetObject', 's3:*Object?', 'IAM:createuser');
const resource = fc.constantFrom('*', 'arn:aws:iam::123456789012:user/*', 'arn:aws:s3:::bucket/${aws:username}/*', 'arn:aws:iam::*:role/${aws:PrincipalTag/team}',
  'arn:aws:iam::123456789012:user/${aws:username}', 'arn:aws:s3:::*', 'arn:aws:iam::123456789012:role/a?c');
const principal = fc.constantFrom<unknown>('*', { AWS: '*' }, { AWS: 'arn:aws:iam::123456789012:root' }, { AWS: '123456789012' }, { AWS: 'arn:aws:iam::123456789012:user/alice' },
  { Service: 'ec2.amazonaws.com' }, { Federated: 'cognito-identity.amazonaws.com' }, { Federated: 'arn:aws:iam::123456789012:saml-provider/x' },
  { AWS: ['arn:aws:iam::123456789012:role/r', 'arn:aws:iam::123456789012:user/bob'] });
const oneOrMany = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | T[]> => fc.oneof(arb, fc.array(arb, { minLength: 1, maxLength: 3 }));

/** A value to put where the grammar wants something else: wrong types, hostile text, empties. */
const misfit: fc.Arbitrary<unknown> = fc.oneof(
  hostileText,
  fc.array(hostileText, { maxLength: 3 }),
  fc.constantFrom<unknown>(null, true, 0, -1, 1.5, '', [], {}, [[]], { '': '' }, ['*', 1], { StringEquals: 'x' }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Replace, add or remove one field of `obj`, among `keys` and a stray one. */
function perturb(obj: Record<string, unknown>, keys: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  return fc.tuple(fc.constantFrom(...keys, 'Junk', 'effect'), fc.option(misfit, { freq: 5 })).map(([key, value]) => {
    const out = { ...obj };
    if (value === null) delete out[key];
    else out[key] = value;
    return out;
  });
}

/** Apply `perturb` 0 to 2 times: about half the values stay valid. */
function nearly(valid: fc.Arbitrary<Record<string, unknown>>, keys: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  return valid.chain((v) =>
    fc.oneof(
      { arbitrary: fc.constant(v), weight: 6 },
      { arbitrary: perturb(v, keys), weight: 2 },
      { arbitrary: perturb(v, keys).chain((p) => perturb(p, keys)), weight: 1 },
    ),
  );
}

const STATEMENT_KEYS = ['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition'];

const validStatement = fc
  .record(
    {
      Sid: fc.stringMatching(/^[0-9A-Za-z]{0,12}$/),
      Effect: fc.constantFrom('Allow', 'Deny'),
      not: fc.record({ action: fc.boolean(), resource: fc.boolean(), principal: fc.nat({ max: 2 }) }),
      Action: oneOrMany(action),
      Resource: oneOrMany(resource),
      Principal: principal,
      Condition: condition,
    },
    { requiredKeys: ['Effect', 'not', 'Action'] },
  )
  .map(({ not, ...s }) => {
    const out: Record<string, unknown> = { ...s };
    if (not.action) [out['NotAction'], out['Action']] = [out['Action'], undefined];
    if (not.resource && 'Resource' in s) [out['NotResource'], out['Resource']] = [out['Resource'], undefined];
    // Identity-like policies (most kinds) have no Principal: keep it in a third of statements.
    if (not.principal > 0) delete out['Principal'];
    return JSON.parse(JSON.stringify(out)) as Record<string, unknown>;
  });

const statement = fc.oneof({ arbitrary: validStatement, weight: 3 }, { arbitrary: nearly(validStatement, STATEMENT_KEYS), weight: 1 });

/** A policy document as a JSON value: nearly valid, one or two fields hostile; now and then any JSON. */
export const policyValue: fc.Arbitrary<unknown> = fc.oneof(
  {
    arbitrary: nearly(
      fc.record({ Version: fc.constantFrom('2012-10-17', '2008-10-17'), Statement: fc.oneof(statement, fc.array(statement, { minLength: 1, maxLength: 4 })) }),
      ['Version', 'Id', 'Statement'],
    ),
    weight: 8,
  },
  { arbitrary: fc.jsonValue({ maxDepth: 4 }), weight: 1 },
);

/** Text with a few characters cut, doubled or replaced somewhere: near-valid JSON. */
function mutateText(text: string): fc.Arbitrary<string> {
  return fc
    .array(fc.tuple(fc.nat({ max: Math.max(0, text.length) }), fc.nat({ max: 4 }), fc.oneof(fc.constantFrom('', '"', '{', '}', '[', ']', ',', ':', '\\', '\u0000', '\\u', '\ud800'), hostileText)), { minLength: 1, maxLength: 3 })
    .map((edits) => edits.reduce((t, [at, cut, insert]) => t.slice(0, at) + insert + t.slice(at + cut), text));
}

/** Policy text: valid JSON of a near-valid document, the same text damaged, or any text at all. */
export const policyText: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: policyValue.map((v) => JSON.stringify(v)), weight: 8 },
  { arbitrary: policyValue.chain((v) => mutateText(JSON.stringify(v))), weight: 1 },
  { arbitrary: hostileText, weight: 1 },
  // Deep nesting, where a recursive reader would run out of stack.
  { arbitrary: fc.integer({ min: 1_000, max: 30_000 }).map((n) => `{"Version":"2012-10-17","Statement":${'['.repeat(n)}{}${']'.repeat(n)}}`), weight: 1 },
);

/* ------------------------------------------------------------------------------------------ */
/* AWS Query parameters                                                                        */
/* ------------------------------------------------------------------------------------------ */

/** Wire names of a shape's parameters, with list indexes 1 and 2 (and a few stray ones). */
export function wireNames(shape: Shape, prefix: string, depth = 0): string[] {
  if (depth > 6) return [];
  switch (shape.type) {
    case 'structure':
      return shape.members.flatMap((m) => wireNames(m.shape, prefix === '' ? m.wireName : `${prefix}.${m.wireName}`, depth + 1));
    case 'list': {
      const base = shape.flattened ? prefix : `${prefix}.${shape.memberName}`;
      return [prefix, ...[1, 2].flatMap((i) => wireNames(shape.member, `${base}.${i}`, depth + 1)), `${base}.0`, `${base}.99999999`];
    }
    case 'map': {
      const base = shape.flattened ? prefix : `${prefix}.entry`;
      return [1, 2].flatMap((i) => [...wireNames(shape.key, `${base}.${i}.${shape.keyName}`, depth + 1), ...wireNames(shape.value, `${base}.${i}.${shape.valueName}`, depth + 1)]);
    }
    default:
      return [prefix];
  }
}

/** What a member of this name and shape would plausibly hold, or anything hostile. */
function valueFor(name: string): fc.Arbitrary<string> {
  if (/PolicyDocument$|^Policy$/.test(name)) return fc.oneof({ arbitrary: policyText, weight: 3 }, { arbitrary: hostileText, weight: 1 });
  if (/Arn$|^Arn/.test(name)) return fc.oneof(fc.constantFrom('arn:aws:iam::123456789012:role/fuzz-role', 'arn:aws:iam::123456789012:policy/fuzz-policy', 'arn:aws:iam::aws:policy/ReadOnlyAccess'), hostileText);
  if (/Name$/.test(name)) return fc.oneof({ arbitrary: fc.stringMatching(/^[\w+=,.@-]{1,64}$/), weight: 3 }, { arbitrary: hostileText, weight: 2 });
  if (/Seconds|MaxItems|Duration/.test(name)) return fc.oneof(fc.integer({ min: -10, max: 200_000 }).map(String), hostileText);
  return hostileText;
}

export interface QueryTarget {
  readonly version: string;
  readonly action: string;
  readonly operation: Operation | undefined;
}

/** Every operation of both services' models, and the actions worth hitting more often. */
export function queryTargets(services: Services): QueryTarget[] {
  const out: QueryTarget[] = [];
  for (const [version, model] of services.byVersion) {
    for (const [action, operation] of model.operations) out.push({ version, action, operation });
  }
  return out;
}

/** The IAM mutations the HTTP property sends most often (validly signed, with hostile parameters). */
export const MUTATIONS = [
  'CreateUser', 'DeleteUser', 'UpdateUser', 'PutUserPolicy', 'DeleteUserPolicy', 'CreateRole', 'UpdateRole', 'UpdateAssumeRolePolicy',
  'PutRolePolicy', 'AttachUserPolicy', 'AttachRolePolicy', 'DetachUserPolicy', 'CreatePolicy', 'CreatePolicyVersion', 'SetDefaultPolicyVersion',
  'TagUser', 'UntagUser', 'TagRole', 'CreateGroup', 'AddUserToGroup', 'PutGroupPolicy', 'CreateAccessKey', 'UpdateAccessKey', 'DeleteAccessKey',
  'PutUserPermissionsBoundary', 'PutRolePermissionsBoundary', 'DeleteRole', 'DeletePolicy',
] as const;

/** The STS actions, federation included (sent unsigned, as AWS allows for those). */
export const STS_ACTIONS = ['AssumeRole', 'GetSessionToken', 'GetFederationToken', 'GetCallerIdentity', 'GetAccessKeyInfo', 'DecodeAuthorizationMessage', 'AssumeRoleWithWebIdentity', 'AssumeRoleWithSAML'] as const;

/** The operation's smallest valid parameters (test/negative/minimal-params.ts), if it has any. */
function minimal(operation: Operation | undefined, accountId: string): Param[] {
  if (!operation) return [];
  try {
    return minimalParams(operation, accountId);
  } catch {
    return [];
  }
}

/**
 * Parameters for `target`: Action and Version (sometimes missing, doubled or wrong), usually its
 * smallest valid parameters with some members replaced or added (plausible or hostile values),
 * and now and then junk names, duplicates and absurd indexes. `accountId` goes in the ARNs of
 * the valid parameters.
 */
export function queryParams(target: QueryTarget, accountId = '123456789012'): fc.Arbitrary<Param[]> {
  const valid = minimal(target.operation, accountId);
  const base = fc.oneof({ arbitrary: fc.constant(valid), weight: 3 }, { arbitrary: fc.constant<Param[]>([]), weight: 1 });
  const names = target.operation?.input ? wireNames(target.operation.input, '') : [];
  // A third keep the valid parameters as they are (the handlers then run), the rest change a few.
  const member = names.length === 0 ? fc.constant<Param[]>([]) : fc.oneof(fc.constant<Param[]>([]), fc.array(fc.constantFrom(...names).chain((n) => valueFor(n).map((v): Param => [n, v])), { minLength: 1, maxLength: 4 }), fc.array(fc.constantFrom(...names).chain((n) => valueFor(n).map((v): Param => [n, v])), { minLength: 1, maxLength: 4 }));
  const junkName = fc.oneof(
    hostileText,
    fc.constantFrom('__proto__.x', 'constructor.prototype.y', 'Tags.member.1.__proto__', `${'a.'.repeat(2000)}b`, `${'Tags.member.1.'.repeat(200)}Key`, 'X-Amz-Signature', 'X-Amz-Algorithm', 'Action.1'),
  );
  const junk = fc.array(fc.tuple(junkName, hostileText).map(([n, v]): Param => [n, v]), { maxLength: 3 });
  const head = fc.oneof(
    { arbitrary: fc.constant<Param[]>([['Action', target.action], ['Version', target.version]]), weight: 12 },
    { arbitrary: fc.constant<Param[]>([['Action', target.action]]), weight: 1 },
    { arbitrary: fc.constant<Param[]>([['Version', target.version]]), weight: 1 },
    { arbitrary: fc.tuple(hostileText, fc.constantFrom(IAM_VERSION, STS_VERSION, '2099-01-01', '')).map(([a, v]): Param[] => [['Action', a], ['Version', v]]), weight: 1 },
    { arbitrary: fc.constant<Param[]>([['Action', target.action], ['Version', target.version === IAM_VERSION ? STS_VERSION : IAM_VERSION]]), weight: 1 },
  );
  return fc.tuple(head, base, member, fc.oneof({ arbitrary: fc.constant<Param[]>([]), weight: 5 }, { arbitrary: junk, weight: 1 }), fc.nat({ max: 20 })).map(([h, b, m, j, dup]) => {
    const replaced = new Set(m.map(([n]) => n));
    const all = [...h, ...b.filter(([n]) => !replaced.has(n)), ...dedupe(m), ...j];
    // Now and then a parameter twice (AWS's duplicates are refused, never merged).
    const again = dup === 0 ? all[0] : undefined;
    return again ? [...all, again] : all;
  });
}

/** The first of each name (a duplicate is added on purpose, and rarely, above). */
function dedupe(params: readonly Param[]): Param[] {
  const seen = new Set<string>();
  return params.filter(([n]) => !seen.has(n) && seen.add(n));
}

/** Parameters for any operation of either service, weighted towards IAM mutations and STS. */
export function anyQueryParams(services: Services, accountId?: string): fc.Arbitrary<Param[]> {
  const targets = queryTargets(services);
  const pick = (version: string, names: readonly string[]) => targets.filter((t) => t.version === version && names.includes(t.action));
  const mutations = pick(IAM_VERSION, MUTATIONS);
  const sts = pick(STS_VERSION, STS_ACTIONS);
  return fc
    .oneof(
      { arbitrary: fc.constantFrom(...targets), weight: 3 },
      { arbitrary: fc.constantFrom(...mutations), weight: 4 },
      { arbitrary: fc.constantFrom(...sts), weight: 2 },
      { arbitrary: hostileText.map((action): QueryTarget => ({ version: IAM_VERSION, action, operation: undefined })), weight: 1 },
    )
    .chain((t) => queryParams(t, accountId));
}
