/** The STS operations this service implements: one file per action. */
import type { DefinedOperation } from '../operation.js';
import { assumeRoleOperations } from './assume-role.js';
import { assumeRoleWithSamlOperations } from './assume-role-with-saml.js';
import { assumeRoleWithWebIdentityOperations } from './assume-role-with-web-identity.js';
import { decodeAuthorizationMessageOperations } from './decode-authorization-message.js';
import { getAccessKeyInfoOperations } from './get-access-key-info.js';
import { getCallerIdentity } from './get-caller-identity.js';
import { getFederationTokenOperations } from './get-federation-token.js';
import { getSessionTokenOperations } from './get-session-token.js';

export const stsOperations: readonly DefinedOperation[] = [
  getCallerIdentity,
  ...getSessionTokenOperations,
  ...getFederationTokenOperations,
  ...getAccessKeyInfoOperations,
  ...assumeRoleOperations,
  ...assumeRoleWithWebIdentityOperations,
  ...assumeRoleWithSamlOperations,
  ...decodeAuthorizationMessageOperations,
];
