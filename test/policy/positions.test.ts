/**
 * Statement positions as the policy simulator reports them: 1-based line and column of each
 * statement's `{` and `}`. The first case is AWS's own published response (a policy written by
 * Python's json.dumps, reported from column 41 to column 145).
 */
import { describe, expect, it } from 'vitest';
import { statementPositions } from '../../src/policy/positions.js';

const span = (sl: number, sc: number, el: number, ec: number) => ({ start: { line: sl, column: sc }, end: { line: el, column: ec } });

describe('statementPositions', () => {
  it.each([
    {
      name: 'AWS published response (json.dumps spacing)',
      text: '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::smoketurner-test-iam-bucket/*"}]}',
      spans: [span(1, 41, 1, 145)],
    },
    {
      name: 'a single statement object',
      text: '{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}',
      spans: [span(1, 14, 1, 59)],
    },
    {
      name: 'a list over several lines',
      text: '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": "s3:*",\n      "Resource": "*"\n    },\n    {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}\n  ]\n}',
      spans: [span(4, 5, 8, 5), span(9, 5, 9, 68)],
    },
    {
      name: 'CRLF line breaks count once',
      text: '{\r\n"Statement": [\r\n{"Effect":"Allow","Action":"*","Resource":"*"}\r\n]}',
      spans: [span(3, 1, 3, 46)],
    },
    {
      name: 'nested objects inside a statement are not statements',
      text: '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}',
      spans: [span(1, 15, 1, 112)],
    },
    {
      name: 'braces and quotes inside strings are ignored',
      text: '{"Id":"{[\\"}","Statement":[{"Sid":"a}","Effect":"Allow","Action":"*","Resource":"*"}]}',
      spans: [span(1, 28, 1, 84)],
    },
    {
      name: 'a Statement key below the top level is not the statement list',
      text: '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"Statement":"x"}}}]}',
      spans: [span(1, 15, 1, 107)],
    },
    {
      name: 'a repeated Statement key: the last one wins, as in JSON.parse',
      text: '{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}],"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}',
      spans: [span(1, 74, 1, 119)],
    },
    {
      name: 'an escaped key is decoded',
      text: '{"State\\u006dent":{"Effect":"Allow","Action":"*","Resource":"*"}}',
      spans: [span(1, 19, 1, 64)],
    },
  ])('$name', ({ text, spans }) => {
    expect(statementPositions(text)).toEqual(spans);
    // The scan agrees with the characters it points at.
    const lines = text.split(/\r\n|\r|\n/);
    for (const s of statementPositions(text)) {
      expect(lines[s.start.line - 1]?.[s.start.column - 1]).toBe('{');
      expect(lines[s.end.line - 1]?.[s.end.column - 1]).toBe('}');
    }
  });

  it.each([
    {
      // Recorded against AWS (LocalStack's AWS-validated test_simulate_principle_policy snapshot): an
      // attached managed policy with a lone statement object is reported one column right of its
      // braces, as if stored wrapped in [ ].
      name: 'AWS recorded response for a stored lone statement (json.dumps spacing)',
      text: '{"Version": "2012-10-17", "Statement": {"Sid": "", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}}',
      spans: [span(1, 41, 1, 113)],
    },
    {
      name: 'a stored lone statement over several lines: only its first line shifts',
      text: '{"Statement": {\n"Effect": "Allow", "Action": "*", "Resource": "*"\n}}',
      spans: [span(1, 16, 3, 1)],
    },
    {
      name: 'a stored statement list is not shifted',
      text: '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}',
      spans: [span(1, 16, 1, 66)],
    },
  ])('wrapLoneStatement: $name', ({ text, spans }) => {
    expect(statementPositions(text, { wrapLoneStatement: true })).toEqual(spans);
  });

  it.each(['', 'null', '[]', '{"Statement":[{"Effect":"Allow"}', '{"Statement":"x', '{"a":[}'])('malformed text %j gives no positions', (text) => {
    expect(statementPositions(text)).toEqual([]);
  });

  it('hostile nesting does not exhaust the stack', () => {
    const deep = `{"Statement":[{"Condition":${'['.repeat(200_000)}${']'.repeat(200_000)}}]}`;
    expect(statementPositions(deep)).toHaveLength(1);
  });
});
