/** AWS's ValidationError wording, exactly (the SAML case is a message AWS returned, quoted in a public issue). */
import { describe, expect, test } from 'vitest';
import { parseQuery, validateInput } from '../../src/protocol/index.js';
import { awsError, iam, params, sts } from './helpers.js';

function message(operation: ReturnType<typeof sts>, query: string): string {
  const e = awsError(() => validateInput(operation.input, parseQuery(operation.input, params(query))));
  expect(e.code).toBe('ValidationError');
  expect(e.status).toBe(400);
  return e.message;
}

const ROLE = 'RoleArn=arn:aws:iam::123456789012:role/r';

describe('validateInput', () => {
  test('valid input passes', () => {
    const op = sts('AssumeRole');
    expect(() => validateInput(op.input, parseQuery(op.input, params(`${ROLE}&RoleSessionName=ok`)))).not.toThrow();
  });

  test.each([
    ['pattern', `${ROLE}&RoleSessionName=a:b`,
      "1 validation error detected: Value 'a:b' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"],
    ['max length', `${ROLE}&RoleSessionName=${'x'.repeat(65)}`,
      `1 validation error detected: Value '${'x'.repeat(65)}' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64`],
    ['min length', `${ROLE}&RoleSessionName=x`,
      "1 validation error detected: Value 'x' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2"],
    ['range (min)', `${ROLE}&RoleSessionName=ok&DurationSeconds=899`,
      "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"],
    ['range (max)', `${ROLE}&RoleSessionName=ok&DurationSeconds=43201`,
      "1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200"],
    ['required', 'RoleSessionName=ok',
      "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null"],
    ['required inside a list element', `${ROLE}&RoleSessionName=ok&Tags.member.1.Key=k`,
      "1 validation error detected: Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null"],
    ['pattern inside a list element', `${ROLE}&RoleSessionName=ok&Tags.member.1.Key=k&Tags.member.1.Value=a(b)`,
      "1 validation error detected: Value 'a(b)' at 'tags.1.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*"],
    ['list length', `${ROLE}&RoleSessionName=ok&${Array.from({ length: 51 }, (_, i) => `TransitiveTagKeys.member.${i + 1}=k${i}`).join('&')}`,
      `1 validation error detected: Value '[${Array.from({ length: 51 }, (_, i) => `k${i}`).join(', ')}]' at 'transitiveTagKeys' failed to satisfy constraint: Member must have length less than or equal to 50`],
    ['list of structures, shown Java-style', `${ROLE}&RoleSessionName=ok&${Array.from({ length: 51 }, (_, i) => `Tags.member.${i + 1}.Key=k&Tags.member.${i + 1}.Value=v`).join('&')}`,
      `1 validation error detected: Value '[${Array.from({ length: 51 }, () => '{Key=k, Value=v}').join(', ')}]' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50`],
  ])('%s', (_, query, expected) => {
    expect(message(sts('AssumeRole'), query)).toBe(expected);
  });

  test('several errors: counted, in member order, pattern before length, joined by "; "', () => {
    expect(message(sts('AssumeRoleWithSAML'), 'RoleArn=&PrincipalArn=&SAMLAssertion=' + 'x'.repeat(10))).toBe(
      '4 validation errors detected: '
      + "Value '' at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+; "
      + "Value '' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20; "
      + "Value '' at 'principalArn' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+; "
      + "Value '' at 'principalArn' failed to satisfy constraint: Member must have length greater than or equal to 20");
  });

  test('enum', () => {
    expect(message(iam('UpdateAccessKey'), 'AccessKeyId=AKIAIOSFODNN7EXAMPLE&Status=on')).toBe(
      "1 validation error detected: Value 'on' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive, Expired]");
  });

  test('sensitive values are never echoed (SAMLAssertion, member path sAMLAssertion as AWS writes it)', () => {
    expect(message(sts('AssumeRoleWithSAML'), `${ROLE}&PrincipalArn=arn:aws:iam::123456789012:saml-provider/p&SAMLAssertion=abc`)).toBe(
      "1 validation error detected: Value at 'sAMLAssertion' failed to satisfy constraint: Member must have length greater than or equal to 4");
  });

  test('astral characters satisfy \\u10000-\\u10FFFF; a NUL does not', () => {
    const op = sts('AssumeRole');
    const ok = parseQuery(op.input, params(`${ROLE}😀&RoleSessionName=ok`));
    expect(() => validateInput(op.input, ok)).not.toThrow();
    expect(message(op, `${ROLE}\u0000&RoleSessionName=ok`)).toContain("at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern");
    // Session policies are Latin-1 only ([\u0009\u000A\u000D\u0020-\u00FF]+).
    expect(message(op, `${ROLE}&RoleSessionName=ok&Policy={"a":"😀"}`)).toContain("at 'policy' failed to satisfy constraint");
  });
});
