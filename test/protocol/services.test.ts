import { describe, expect, test } from 'vitest';
import { decodeRequest, resolveOperation } from '../../src/protocol/index.js';
import { awsError, params, services } from './helpers.js';

describe('resolveOperation', () => {
  test('Version picks the service, Action the operation', () => {
    expect(resolveOperation(services, 'AssumeRole', '2011-06-15').service.serviceId).toBe('STS');
    expect(resolveOperation(services, 'CreateUser', '2010-05-08').service.xmlNamespace).toBe('https://iam.amazonaws.com/doc/2010-05-08/');
  });

  test.each([
    ['CreateUser', '2011-06-15', 'Could not find operation CreateUser for version 2011-06-15'],
    ['AssumeRole', '2010-05-08', 'Could not find operation AssumeRole for version 2010-05-08'],
    ['AssumeRole', '2099-01-01', 'Could not find operation AssumeRole for version 2099-01-01'],
    ['AssumeRole', undefined, 'Could not find operation AssumeRole for version NO_VERSION_SPECIFIED'],
    ['assumerole', '2011-06-15', 'Could not find operation assumerole for version 2011-06-15'],
    ['toString', '2011-06-15', 'Could not find operation toString for version 2011-06-15'],
    ['__proto__', '2011-06-15', 'Could not find operation __proto__ for version 2011-06-15'],
  ])('InvalidAction: %s / %s', (action, version, message) => {
    const e = awsError(() => resolveOperation(services, action, version));
    expect([e.code, e.status, e.message]).toEqual(['InvalidAction', 400, message]);
  });

  test.each([undefined, ''])('MissingAction when Action is %j', (action) => {
    expect(awsError(() => resolveOperation(services, action, '2011-06-15')).code).toBe('MissingAction');
  });
});

describe('decodeRequest', () => {
  test('resolves, parses and validates in one step', () => {
    const d = decodeRequest(services, params('Action=GetAccessKeyInfo&Version=2011-06-15&AccessKeyId=AKIAIOSFODNN7EXAMPLE'));
    expect(d.operation.name).toBe('GetAccessKeyInfo');
    expect(d.input).toEqual({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE' });
  });

  test('an operation without input (IAM GetAccountSummary)', () => {
    expect(decodeRequest(services, params('Action=GetAccountSummary&Version=2010-05-08')).input).toEqual({});
  });

  test('two Action parameters are refused', () => {
    expect(awsError(() => decodeRequest(services, params('Action=GetCallerIdentity&Action=AssumeRole&Version=2011-06-15'))).code).toBe('ValidationError');
  });
});
