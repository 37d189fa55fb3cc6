/**
 * registerOperations (src/operation.ts): each operation goes under the service model that has its
 * name, with that model's API version and signing name, and a definition that disagrees with its
 * model about authentication is refused at start.
 */
import { describe, expect, test } from 'vitest';
import { iamOperations } from '../../src/iam/index.js';
import { defineOperation, registerOperations, type DefinedOperation, type OperationDef } from '../../src/operation.js';
import { createServices, loadServices } from '../../src/protocol/index.js';
import { stsOperations } from '../../src/sts/index.js';

const services = loadServices();

function register(defs: readonly DefinedOperation[], using = services): Map<string, OperationDef> {
  const byName = new Map<string, OperationDef>();
  registerOperations(byName, using, defs);
  return byName;
}

const unreached = async (): Promise<never> => {
  throw new Error('never called');
};

const getRole = defineOperation('GetRole', { authentication: 'sigv4', write: false, resource: () => '*', handle: unreached });

describe('registerOperations', () => {
  test('every operation this service implements goes under its model’s API version, with the model’s signingName:Name as its action', () => {
    const byName = register([...iamOperations, ...stsOperations]);
    expect(byName.size).toBe(iamOperations.length + stsOperations.length);
    for (const def of iamOperations) expect(byName.get(`2010-05-08:${def.name}`)?.action, def.name).toBe(`iam:${def.name}`);
    for (const def of stsOperations) expect(byName.get(`2011-06-15:${def.name}`)?.action, def.name).toBe(`sts:${def.name}`);
  });

  test('an action of its own, where AWS authorizes another, is kept', () => {
    const def = defineOperation('GetRole', { authentication: 'sigv4', action: 'iam:Other', write: false, resource: () => '*', handle: unreached });
    expect(register([def]).get('2010-05-08:GetRole')?.action).toBe('iam:Other');
  });

  test('an operation that declares an authentication its model does not have is refused', () => {
    // The types refuse these already (test/protocol/operation-types.test.ts); start refuses them whatever the types said.
    const signedFederation: DefinedOperation = { ...getRole, name: 'AssumeRoleWithWebIdentity' };
    expect(() => register([signedFederation])).toThrow("operation AssumeRoleWithWebIdentity declares authentication 'sigv4', but the STS model says 'none'");
    const unsignedRole = { ...getRole, authentication: 'none', authorization: 'handler' };
    expect(() => register([unsignedRole as DefinedOperation])).toThrow("operation GetRole declares authentication 'none', but the IAM model says 'sigv4'");
  });

  test('an operation that declares no authentication, or is unsigned but not authorized by its handler, is refused', () => {
    const { authentication: _omitted, ...undeclared } = getRole;
    expect(() => register([undeclared as DefinedOperation])).toThrow("operation GetRole declares no authentication ('sigv4' or 'none')");
    const unsignedByPipeline = { ...getRole, name: 'AssumeRoleWithWebIdentity', authentication: 'none', authorization: 'resource' };
    expect(() => register([unsignedByPipeline as DefinedOperation])).toThrow('operation AssumeRoleWithWebIdentity is unsigned, so its handler must authorize it');
  });

  test('an operation no model has, or one defined twice, is refused', () => {
    const stsOnly = createServices([...services.byVersion.values()].filter((s) => s.signingName === 'sts'));
    expect(() => register([getRole], stsOnly)).toThrow('operation GetRole is in no service model');
    expect(() => register([getRole, getRole])).toThrow('operation GetRole is defined twice');
  });
});
