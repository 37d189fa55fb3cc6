import { describe, expect, test } from 'vitest';
import { parseQuery } from '../../src/protocol/index.js';
import { awsError, iam, params, sts } from './helpers.js';

const parse = (operation: ReturnType<typeof sts>, query: string) => parseQuery(operation.input, params(query));

describe('parseQuery: flattening forms', () => {
  test('scalars by member wire name, camelCase out; integers and booleans converted', () => {
    expect(parse(sts('AssumeRole'), 'RoleArn=arn:aws:iam::1:role/r&RoleSessionName=s&DurationSeconds=3600')).toEqual({
      roleArn: 'arn:aws:iam::1:role/r', roleSessionName: 's', durationSeconds: 3600,
    });
    expect(parse(iam('CreatePolicyVersion'), 'PolicyArn=a&PolicyDocument={}&SetAsDefault=true')).toEqual({
      policyArn: 'a', policyDocument: '{}', setAsDefault: true,
    });
    expect(parse(iam('CreatePolicyVersion'), 'SetAsDefault=FALSE')).toEqual({ setAsDefault: false });
  });

  test('list of structures: PolicyArns.member.N.arn and Tags.member.N.Key/Value, ordered by index', () => {
    expect(parse(sts('AssumeRole'), 'Tags.member.2.Key=b&Tags.member.1.Key=a&Tags.member.1.Value=1&Tags.member.2.Value=2&PolicyArns.member.1.arn=p')).toEqual({
      policyArns: [{ arn: 'p' }], tags: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }],
    });
  });

  test('list of scalars: TransitiveTagKeys.member.N', () => {
    expect(parse(sts('AssumeRole'), 'TransitiveTagKeys.member.1=a&TransitiveTagKeys.member.2=b')).toEqual({ transitiveTagKeys: ['a', 'b'] });
  });

  test('nested: ContextEntries.member.1.ContextKeyValues.member.1', () => {
    const q = 'ContextEntries.member.1.ContextKeyName=aws:username&ContextEntries.member.1.ContextKeyType=string'
      + '&ContextEntries.member.1.ContextKeyValues.member.1=alice&ContextEntries.member.1.ContextKeyValues.member.2=bob'
      + '&ContextEntries.member.2.ContextKeyName=k&ContextEntries.member.2.ContextKeyValues.member.1=v';
    expect(parse(iam('SimulateCustomPolicy'), q)).toEqual({
      contextEntries: [
        { contextKeyName: 'aws:username', contextKeyType: 'string', contextKeyValues: ['alice', 'bob'] },
        { contextKeyName: 'k', contextKeyValues: ['v'] },
      ],
    });
  });

  test('`Name=` with an empty value is the empty list the SDKs send for []', () => {
    expect(parse(iam('SimulateCustomPolicy'), 'ResourceArns=')).toEqual({ resourceArns: [] });
  });

  test('unknown parameters are ignored, as AWS does (Action, Version, X-Amz-*, typos, unknown nesting)', () => {
    expect(parse(sts('GetCallerIdentity'), 'Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Date=1&Foo=bar')).toEqual({});
    expect(parse(sts('AssumeRole'), 'roleArn=lower&RoleArn.x=1&Tags.item.1.Key=a&Tags.member.1.Colour=red&Tags.member.1.Key=k')).toEqual({
      tags: [{ key: 'k' }],
    });
  });

  test('an operation without input accepts anything and yields {}', () => {
    expect(parseQuery(undefined, params('A=1'))).toEqual({});
  });
});

describe('parseQuery: refusals', () => {
  test.each([
    ['a gap', 'Tags.member.1.Key=a&Tags.member.3.Key=c', "Value null at 'tags.2.member' failed to satisfy constraint: List members must be numbered 1, 2, 3, … without gaps"],
    ['no member 1', 'TransitiveTagKeys.member.2=a', "Value null at 'transitiveTagKeys.1.member'"],
  ])('%s', (_, q, message) => {
    const e = awsError(() => parse(sts('AssumeRole'), q));
    expect(e.code).toBe('ValidationError');
    expect(e.message).toContain(message);
  });

  test.each(['0', '01', '-1', 'x', '', '1e3', '1001', '99999999', '99999999999999999999999'])('list index %j', (index) => {
    const e = awsError(() => parse(sts('AssumeRole'), `Tags.member.${index}.Key=a`));
    expect(e.code).toBe('ValidationError');
    expect(e.message).toContain('invalid list index');
  });

  test('a duplicated parameter', () => {
    expect(awsError(() => parse(sts('AssumeRole'), 'RoleArn=a&RoleArn=b')).message).toBe("Parameter 'RoleArn' appears more than once.");
  });

  test.each([
    ['DurationSeconds=abc', "Value 'abc' at 'durationSeconds' failed to satisfy constraint: Member must be an integer"],
    ['DurationSeconds=1.5', "Value '1.5' at 'durationSeconds'"],
    ['DurationSeconds= 900', "Value ' 900' at 'durationSeconds'"],
    ['DurationSeconds=2147483648', "Value '2147483648' at 'durationSeconds'"],
    ['Tags=x', "Value 'x' at 'tags' failed to satisfy constraint: Member must be a list"],
  ])('type conversion: %s', (q, message) => {
    const e = awsError(() => parse(sts('AssumeRole'), q));
    expect(e.code).toBe('ValidationError');
    expect(e.message).toContain(message);
  });

  test('boolean must be true or false', () => {
    expect(awsError(() => parse(iam('CreatePolicyVersion'), 'SetAsDefault=yes')).message).toBe(
      "1 validation error detected: Value 'yes' at 'setAsDefault' failed to satisfy constraint: Member must be true or false");
  });
});
