/** The policy engine's public surface. See README.md beside this file for the semantics. */
export { PolicyCache } from './cache.js';
export { compilePolicy, type CompiledPolicy, type CompiledStatement } from './compile.js';
export { createRequestContext, RequestContext, type ContextValue } from './context.js';
export { PolicyError } from './errors.js';
export { evaluate } from './evaluate.js';
export { builtInTrustProblem, DEFAULT_MULTI_TENANT_ISSUERS, multiTenantTrustProblem, normalizeIssuer, wildcardTrustProblem } from './multi-tenant.js';
export { awsPrincipalValues, mapAwsPrincipals } from './principal-text.js';
export { DEFAULT_MAX_LENGTH, MAX_TEXT_LENGTH, nonWhitespaceLength, parsePolicy, type ParseOptions } from './parse.js';
export type * from './types.js';
