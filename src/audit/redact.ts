/**
 * A request's (or response's) values as the audit trail keeps them, in the manner of CloudTrail's
 * requestParameters / responseElements: walked along the operation's model shape, so only members
 * the model knows are kept, and every secret is replaced by CloudTrail's own placeholder
 * `HIDDEN_DUE_TO_SECURITY_REASONS`. A value is secret when the model marks its shape `sensitive`
 * (passwords, secret access keys, private keys, MFA seeds, SAML assertions, web identity tokens),
 * and, in case the model misses one, when its member's name says so (SessionToken is not marked
 * in the STS model, for one).
 */
import type { Shape } from '../protocol/index.js';

export const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';

/** Member names whose string values are secrets whatever the model says. */
const SECRET_NAMES = /secret|password|token|privatekey|seed|qrcode|authenticationcode|samlassertion/i;
/** Long strings (certificate chains) are cut: the trail records what was done, not every byte. */
const MAX_STRING = 16_384;
const MAX_DEPTH = 16;

function isSecret(memberName: string, shape: Shape): boolean {
  if ('sensitive' in shape && shape.sensitive) return true;
  return (shape.type === 'string' || shape.type === 'blob') && SECRET_NAMES.test(memberName);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof Uint8Array);
}

/** `value` as JSON-ready data with secrets hidden; undefined when there is nothing to keep. */
export function redact(shape: Shape | undefined, value: unknown, depth = 0): unknown {
  if (shape === undefined || value === undefined || value === null || depth > MAX_DEPTH) return undefined;
  switch (shape.type) {
    case 'structure': {
      if (!isRecord(value)) return undefined;
      const out: Record<string, unknown> = {};
      for (const member of shape.members) {
        const v = value[member.key];
        if (v === undefined || v === null) continue;
        out[member.key] = isSecret(member.name, member.shape) ? HIDDEN : redact(member.shape, v, depth + 1);
      }
      return out;
    }
    case 'list':
      return Array.isArray(value) ? value.map((v: unknown) => ('sensitive' in shape.member && shape.member.sensitive ? HIDDEN : redact(shape.member, v, depth + 1))) : undefined;
    case 'map': {
      if (!isRecord(value)) return undefined;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = 'sensitive' in shape.value && shape.value.sensitive ? HIDDEN : redact(shape.value, v, depth + 1);
      return out;
    }
    case 'string':
      if (shape.sensitive) return HIDDEN;
      if (typeof value !== 'string') return undefined;
      return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…(${value.length} characters)` : value;
    case 'timestamp':
      return value instanceof Date ? value.toISOString() : typeof value === 'string' || typeof value === 'number' ? value : undefined;
    case 'blob':
      // Binary values are never copied: their size says enough.
      return shape.sensitive ? HIDDEN : value instanceof Uint8Array ? `(${value.byteLength} bytes)` : typeof value === 'string' ? `(${value.length} characters)` : undefined;
    default:
      return typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string' ? value : undefined;
  }
}
