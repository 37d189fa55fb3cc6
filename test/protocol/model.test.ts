/** The extracted models, and the protocol on shape features our two services use little or not at all. */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { loadModel, parseQuery, renderResult, toCamel, validateInput } from '../../src/protocol/index.js';
import { awsError, params, services } from './helpers.js';

describe('extracted models', () => {
  test.each(['sts', 'iam'])('%s.json notes its origin and carries no documentation', (name) => {
    const text = readFileSync(new URL(`../../src/protocol/models/${name}.json`, import.meta.url), 'utf8');
    const json = JSON.parse(text) as { origin: string; botocoreVersion: string };
    expect(json.origin).toMatch(/^derived from botocore \d+\.\d+\.\d+ .*shapes and constraints.*Apache-2\.0$/);
    expect(json.origin).toContain(json.botocoreVersion);
    expect(text).not.toContain('"documentation"');
    expect(text).not.toContain('<p>');
  });

  test('both services load with their versions, namespaces and operations', () => {
    const sts = services.byVersion.get('2011-06-15');
    const iam = services.byVersion.get('2010-05-08');
    expect(sts?.xmlNamespace).toBe('https://sts.amazonaws.com/doc/2011-06-15/');
    expect(iam?.xmlNamespace).toBe('https://iam.amazonaws.com/doc/2010-05-08/');
    expect(sts?.operations.get('AssumeRole')?.resultWrapper).toBe('AssumeRoleResult');
    expect(iam?.operations.size).toBeGreaterThan(150);
  });

  test.each([
    ['RoleArn', 'roleArn'], ['SAMLAssertion', 'samlAssertion'], ['MFADevices', 'mfaDevices'], ['QRCodePNG', 'qrCodePNG'],
    ['arn', 'arn'], ['isTruncated', 'isTruncated'], ['ARN', 'arn'], ['AWSServiceName', 'awsServiceName'],
  ])('toCamel(%s) = %s', (wire, camel) => {
    expect(toCamel(wire)).toBe(camel);
  });
});

/** A small model with maps, timestamps, blobs, flattened lists and locationName. */
const synthetic = loadModel({
  origin: 'test',
  metadata: { apiVersion: '2000-01-01', serviceId: 'Test', xmlNamespace: 'urn:test' },
  operations: { Do: { input: 'In', output: 'Out', resultWrapper: 'DoResult' } },
  shapes: {
    In: { type: 'structure', required: ['When'], members: {
      When: { shape: 'Time' }, Data: { shape: 'Bytes' }, Attrs: { shape: 'Attrs' }, Flat: { shape: 'Flat', locationName: 'Item' }, Ratio: { shape: 'Ratio' },
    } },
    Out: { type: 'structure', members: { When: { shape: 'Time' }, Data: { shape: 'Bytes' }, Attrs: { shape: 'Attrs' }, Flat: { shape: 'Flat', locationName: 'Item' } } },
    Time: { type: 'timestamp' },
    Bytes: { type: 'blob', max: 4 },
    Attrs: { type: 'map', key: { shape: 'Key' }, value: { shape: 'Count' }, max: 2 },
    Flat: { type: 'list', flattened: true, member: { shape: 'Key' } },
    Key: { type: 'string', min: 1 },
    Count: { type: 'integer', min: 0 },
    Ratio: { type: 'double' },
  },
});
const op = synthetic.operations.get('Do');

describe('shape features', () => {
  test('timestamps, blobs, maps (entry.N.key/value), flattened lists with locationName, doubles', () => {
    const input = parseQuery(op?.input, params(
      'When=2024-01-02T03:04:05.678Z&Data=AQID&Attrs.entry.1.key=a&Attrs.entry.1.value=1&Attrs.entry.2.key=b&Attrs.entry.2.value=2&Item.1=x&Item.2=y&Ratio=0.5'));
    expect(input).toEqual({
      when: new Date('2024-01-02T03:04:05.678Z'), data: new Uint8Array([1, 2, 3]), attrs: new Map([['a', 1], ['b', 2]]), flat: ['x', 'y'], ratio: 0.5,
    });
    expect(() => validateInput(op?.input, input)).not.toThrow();
  });

  test.each([
    ['When=yesterday', "Value 'yesterday' at 'when' failed to satisfy constraint: Member must be an ISO 8601 timestamp"],
    ['When=2024-01-02T03:04:05Z&Data=%%%', "Value '%%%' at 'data' failed to satisfy constraint: Member must be base64-encoded"],
    ['When=2024-01-02T03:04:05Z&Attrs.entry.1.key=a', "Value null at 'attrs.1.value' failed to satisfy constraint: Member must not be null"],
  ])('conversion errors: %s', (q, message) => {
    expect(awsError(() => parseQuery(op?.input, params(q))).message).toContain(message);
  });

  test('constraints on maps and blobs', () => {
    const input = parseQuery(op?.input, params('When=2024-01-02T03:04:05+02:00&Data=AQIDBAU=&Attrs.entry.1.key=a&Attrs.entry.1.value=-1'));
    expect(awsError(() => validateInput(op?.input, input)).message).toBe('2 validation errors detected: '
      + "Value '<5 bytes>' at 'data' failed to satisfy constraint: Member must have length less than or equal to 4; "
      + "Value '-1' at 'attrs.1.value' failed to satisfy constraint: Member must have value greater than or equal to 0");
  });

  test('rendering them', () => {
    if (!op) throw new Error('no op');
    const xml = renderResult(op, 'urn:test', {
      when: new Date(0), data: new Uint8Array([255]), attrs: new Map([['a&b', 1]]), flat: ['x', 'y'],
    }, 'r').body;
    expect(xml).toBe('<DoResponse xmlns="urn:test"><DoResult><When>1970-01-01T00:00:00.000Z</When><Data>/w==</Data>'
      + '<Attrs><entry><key>a&amp;b</key><value>1</value></entry></Attrs><Item>x</Item><Item>y</Item></DoResult>'
      + '<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DoResponse>');
  });
});
