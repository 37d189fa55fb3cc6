/**
 * Policy engine benchmark (issue 2): evaluations per second and p99 for a small, a typical and a
 * large policy set, plus compile cost, beside one HMAC-SHA256 of 64 bytes (node:crypto).
 * Target: the typical case costs at most two baselines.
 */
import { createHmac, randomBytes } from 'node:crypto';
import {
  compilePolicy,
  createRequestContext,
  evaluate,
  parsePolicy,
  type AttachedPolicy,
  type EvaluationRequest,
  type PolicyKind,
  type PolicySet,
} from '../src/policy/index.js';
import { measure, type Result } from './measure.js';

const ACCOUNT = '111122223333';

/** Every document the benchmark builds, to measure compile cost on the same texts. */
const documents: { text: string; kind: PolicyKind }[] = [];

function attach(id: string, doc: unknown, kind: PolicyKind = 'identity'): AttachedPolicy {
  const text = JSON.stringify(doc);
  documents.push({ text, kind });
  return { id, policy: compilePolicy(parsePolicy(text, { kind })) };
}

const request = (action: string, resource: string): EvaluationRequest => ({
  principal: {
    type: 'AssumedRole',
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app-role/session-1`,
    parentArn: `arn:aws:iam::${ACCOUNT}:role/app-role`,
    account: ACCOUNT,
  },
  action,
  resource,
  context: createRequestContext(contextValues),
});

const contextValues = {
  'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/app-role`,
  'aws:PrincipalAccount': ACCOUNT,
  'aws:PrincipalType': 'AssumedRole',
  'aws:userid': 'AROAEXAMPLEEXAMPLE123:session-1',
  'aws:PrincipalTag/team': 'payments',
  'aws:PrincipalTag/env': 'prod',
  'aws:SourceIp': '10.1.2.3',
  'aws:SecureTransport': true,
  'aws:CurrentTime': '2026-11-22T12:00:00Z',
  'aws:EpochTime': 1795348800,
  'aws:TokenIssueTime': '2026-11-22T11:30:00Z',
  'aws:MultiFactorAuthPresent': true,
  'aws:MultiFactorAuthAge': 1800,
  'aws:RequestTag/project': 'latchkey',
  'aws:TagKeys': ['project', 'owner'],
};

/* Small: one policy, three statements. */
const small: PolicySet = {
  identity: [
    attach('small', {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Read', Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: ['arn:aws:s3:::data', 'arn:aws:s3:::data/*'] },
        { Sid: 'Write', Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::data/uploads/*' },
        { Sid: 'NoDelete', Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' },
      ],
    }),
  ],
};

/* Typical: ten identity policies with four statements each (most with conditions), a boundary and a session policy. */
const services = ['s3', 'dynamodb', 'sqs', 'sns', 'kms', 'lambda', 'logs', 'ec2', 'iam', 'sts'];
const typicalPolicies = services.map((svc, i) =>
  attach(`arn:aws:iam::${ACCOUNT}:policy/${svc}-access`, {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: `Read${i}`,
        Effect: 'Allow',
        Action: [`${svc}:Get*`, `${svc}:List*`, `${svc}:Describe*`],
        Resource: `arn:aws:${svc}:*:${ACCOUNT}:*`,
        Condition: { StringEquals: { 'aws:PrincipalTag/team': ['payments', 'ledger'] } },
      },
      {
        Sid: `Write${i}`,
        Effect: 'Allow',
        Action: [`${svc}:Put*`, `${svc}:Create*`, `${svc}:Update*`],
        Resource: `arn:aws:${svc}:*:${ACCOUNT}:app/\${aws:PrincipalTag/team}/*`,
        Condition: {
          Bool: { 'aws:SecureTransport': 'true' },
          IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '192.168.0.0/16'] },
        },
      },
      {
        Sid: `Tagging${i}`,
        Effect: 'Allow',
        Action: `${svc}:TagResource`,
        Resource: '*',
        Condition: {
          'ForAllValues:StringEquals': { 'aws:TagKeys': ['project', 'owner', 'cost-center'] },
          StringLike: { 'aws:RequestTag/project': 'latch*' },
        },
      },
      {
        Sid: `DenyOld${i}`,
        Effect: 'Deny',
        Action: `${svc}:Delete*`,
        Resource: '*',
        Condition: { NumericGreaterThan: { 'aws:MultiFactorAuthAge': '3600' } },
      },
    ],
  }),
);
const typical: PolicySet = {
  identity: typicalPolicies,
  boundary: attach('boundary', {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'Services', Effect: 'Allow', NotAction: ['iam:*', 'organizations:*'], Resource: '*' },
      { Sid: 'BusinessHours', Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } } },
    ],
  }, 'boundary'),
  session: {
    policies: [
      attach('session', {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'Scope', Effect: 'Allow', Action: ['s3:*', 'dynamodb:*', 'sqs:*', 'kms:Decrypt'], Resource: '*' },
          { Sid: 'Mfa', Effect: 'Deny', Action: '*', Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } },
        ],
      }, 'session'),
    ],
  },
};

/* Large: a hundred policies full of wildcards. */
const large: PolicySet = {
  identity: Array.from({ length: 100 }, (_, i) =>
    attach(`large-${i}`, {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'A', Effect: 'Allow', Action: [`svc${i}:*`, `s3:Get*Object${i}*`], Resource: [`arn:aws:s3:::bucket-${i}-*/*`, `arn:aws:s3:::*-${i}/data/*`] },
        { Sid: 'B', Effect: 'Allow', Action: 's3:?et*', Resource: `arn:aws:s3:::shared/team-${i}/*`, Condition: { StringLike: { 'aws:PrincipalTag/team': `*team-${i}*` } } },
        { Sid: 'C', Effect: 'Deny', Action: 's3:Delete*', Resource: `arn:aws:s3:::*-${i}-*` },
      ],
    }),
  ),
};

const smallReq = request('s3:GetObject', 'arn:aws:s3:::data/reports/2026.csv');
// Allowed by Read2 (a tag condition) through the boundary's NotAction and the session policy:
// every identity policy, the boundary and the session policy are scanned.
const typicalReq = request('sqs:GetQueueAttributes', `arn:aws:sqs:eu-west-1:${ACCOUNT}:orders`);
const largeReq = request('s3:GetObject', 'arn:aws:s3:::shared/team-99/report.csv');

for (const [name, set, req, want] of [
  ['small', small, smallReq, 'Allow'],
  ['typical', typical, typicalReq, 'Allow'],
  ['large', large, largeReq, 'ImplicitDeny'],
] as const) {
  const got = evaluate(set, req).decision;
  if (got !== want) throw new Error(`bench case ${name}: expected ${want}, got ${got}`);
}

const typicalDocs = typicalPolicies.length;
// The small set's document, then the typical set's twelve.
const typicalDocuments = documents.slice(1, 1 + typicalDocs + 2);

export function runPolicyBench(): { baseline: Result; results: Result[] } {
  const key = randomBytes(32);
  const msg = randomBytes(64);
  const baseline = measure('HMAC-SHA256 of 64 bytes (baseline)', () => createHmac('sha256', key).update(msg).digest());
  const results = [
    measure('small: 1 policy, 3 statements', () => evaluate(small, smallReq)),
    measure(`typical: ${typicalDocs} policies, 40 statements + boundary + session`, () => evaluate(typical, typicalReq)),
    measure('typical, building the request context too', () => evaluate(typical, { ...typicalReq, context: createRequestContext(contextValues) })),
    measure('large: 100 policies, 300 wildcard statements', () => evaluate(large, largeReq)),
    measure('compile: parse + compile the small policy (3 statements)', () => compilePolicy(parsePolicy(documents[0]?.text ?? '', { kind: 'identity' }))),
    measure(`compile: the typical set (${typicalDocuments.length} documents)`, () => {
      for (const d of typicalDocuments) compilePolicy(parsePolicy(d.text, { kind: d.kind }));
    }, { samples: 2_000 }),
  ];
  return { baseline, results };
}
