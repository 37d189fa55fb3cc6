/**
 * mapAwsPrincipals: the AWS principals of a policy's text, rewritten where IAM rewrites them
 * (Statement → Principal → AWS) and nowhere else, the rest of the text byte for byte as written.
 */
import { describe, expect, test } from 'vitest';
import { awsPrincipalValues, mapAwsPrincipals } from '../../src/policy/index.js';

const ALICE = 'arn:aws:iam::111122223333:user/alice';
const ID = 'AIDAEXAMPLEALICE12345';
const toId = (v: string) => (v === ALICE ? ID : undefined);

describe('mapAwsPrincipals', () => {
  test('a single AWS string, a list, and a Statement given as one object', () => {
    const one = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"${ALICE}"},"Action":"sts:AssumeRole"}}`;
    expect(mapAwsPrincipals(one, toId)).toBe(one.replace(ALICE, ID));
    const list = `{"Statement":[{"Principal":{"AWS":["arn:aws:iam::111122223333:root","${ALICE}"]}},{"Principal":{"AWS":"${ALICE}"}}]}`;
    expect(mapAwsPrincipals(list, toId)).toBe(list.replaceAll(ALICE, ID));
  });

  test('formatting, key order and every other string stay as written', () => {
    const text = `{\n  "Statement" : [ {\n    "Action" : "sts:AssumeRole",\n    "Principal" : { "Service" : "${ALICE}", "AWS" : [ "${ALICE}" ] },\n    "Effect":"Allow"\n  } ],\n  "Version": "2012-10-17"\n}\n`;
    const expected = text.replace(`[ "${ALICE}" ]`, `[ "${ID}" ]`);
    expect(mapAwsPrincipals(text, toId)).toBe(expected);
  });

  test('a Condition naming the same ARN is left alone, as IAM leaves it', () => {
    const text = `{"Statement":[{"Principal":{"AWS":"${ALICE}"},"Condition":{"StringEquals":{"aws:PrincipalArn":"${ALICE}","AWS":"${ALICE}"}}}]}`;
    const out = mapAwsPrincipals(text, toId);
    expect(out).toBe(text.replace(`{"AWS":"${ALICE}"}`, `{"AWS":"${ID}"}`));
    expect(out.split(ALICE)).toHaveLength(3);
  });

  test('keys and values are read decoded; a Statement or Principal below the top is not one', () => {
    const escaped = `{"Statement":[{"Princip\\u0061l":{"AWS":"arn:aws:iam::111122223333:user\\/alice"}}]}`;
    expect(mapAwsPrincipals(escaped, toId)).toBe(`{"Statement":[{"Princip\\u0061l":{"AWS":"${ID}"}}]}`);
    const nested = `{"Other":{"Statement":[{"Principal":{"AWS":"${ALICE}"}}]},"Statement":[{"Sid":"${ALICE}","Principal":"*"}]}`;
    expect(mapAwsPrincipals(nested, toId)).toBe(nested);
  });

  test('every duplicate of a key is visited, including the one JSON.parse keeps', () => {
    const text = `{"Statement":[{"Principal":{"AWS":"${ALICE}"},"Principal":{"AWS":"${ALICE}"}}]}`;
    const out = mapAwsPrincipals(text, toId);
    expect(out).toBe(text.replaceAll(ALICE, ID));
    expect(JSON.parse(out)).toEqual({ Statement: [{ Principal: { AWS: ID } }] });
  });

  test('text that is not a well-formed JSON object comes back unchanged', () => {
    for (const text of ['', '[]', `{"Statement":[{"Principal":{"AWS":"${ALICE}"}]}`, `{"Statement":{"Principal":{"AWS":"${ALICE}`, '"x"']) {
      expect(mapAwsPrincipals(text, toId)).toBe(text);
    }
  });

  test('deep nesting does not exhaust the stack', () => {
    const deep = `{"Statement":[${'['.repeat(100_000)}${']'.repeat(100_000)}]}`;
    expect(mapAwsPrincipals(deep, toId)).toBe(deep);
  });

  test('awsPrincipalValues lists the AWS principals in order, decoded', () => {
    const text = `{"Statement":[{"Principal":{"AWS":["111122223333","arn:aws:iam::1:role\\/r"],"Service":"ec2.amazonaws.com"}},{"Principal":"*"}]}`;
    expect(awsPrincipalValues(text)).toEqual(['111122223333', 'arn:aws:iam::1:role/r']);
  });
});
