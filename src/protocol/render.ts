/**
 * Results and errors as AWS Query XML, driven by the output shape:
 *
 *   <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
 *     <AssumeRoleResult>…members in shape order…</AssumeRoleResult>
 *     <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata>
 *   </AssumeRoleResponse>
 *
 * Results come from handlers in camelCase (`credentials.accessKeyId`); absent members (undefined or
 * null) are omitted; lists are `<member>` elements, maps `<entry><key/><value/></entry>`,
 * timestamps ISO 8601 UTC, booleans `true`/`false`, blobs base64. A result that does not fit its
 * shape is a bug in our handler: it throws a plain Error, which becomes InternalFailure upstream.
 */
import { Buffer } from 'node:buffer';
import type { AwsError } from '../errors.js';
import type { MapShape, Operation, Shape, StructureShape } from './model.js';
import { element, escapeXml } from './xml.js';

export interface RenderedResponse {
  readonly status: number;
  readonly contentType: 'text/xml';
  readonly body: string;
}

/** Render an operation's successful result (ignored when the operation has no output). */
export function renderResult(op: Operation, xmlNamespace: string, result: unknown, requestId: string): RenderedResponse {
  let inner = '';
  if (op.output && op.resultWrapper) {
    inner = element(op.resultWrapper, structureBody(op.output, result ?? {}, op.output.name));
  }
  const metadata = element('ResponseMetadata', element('RequestId', escapeXml(requestId)));
  const name = `${op.name}Response`;
  return xml(200, `<${name} xmlns="${escapedNamespace(xmlNamespace)}">${inner}${metadata}</${name}>`);
}

/** Render an error. Without a namespace (no service was identified) the attribute is left out. */
export function renderError(err: AwsError, requestId: string, xmlNamespace?: string): RenderedResponse {
  const ns = xmlNamespace === undefined ? '' : ` xmlns="${escapedNamespace(xmlNamespace)}"`;
  const error = element('Error', element('Type', err.type) + element('Code', err.code) + element('Message', escapeXml(err.message)));
  return xml(err.status, `<ErrorResponse${ns}>${error}${element('RequestId', escapeXml(requestId))}</ErrorResponse>`);
}

/** A service's namespace, escaped once (there are two). */
const namespaces = new Map<string, string>();

function escapedNamespace(xmlNamespace: string): string {
  let escaped = namespaces.get(xmlNamespace);
  if (escaped === undefined) {
    escaped = escapeXml(xmlNamespace);
    if (namespaces.size < 16) namespaces.set(xmlNamespace, escaped);
  }
  return escaped;
}

function xml(status: number, body: string): RenderedResponse {
  return { status, contentType: 'text/xml', body };
}

function structureBody(shape: StructureShape, value: unknown, path: string): string {
  if (!isPlain(value)) throw mismatch(path, 'an object');
  let out = '';
  for (const member of shape.members) {
    const v = value[member.key];
    if (v === undefined || v === null) continue;
    const s = member.shape;
    // The common case (ids, ARNs, names) with no member path built for an error that will not come.
    if (s.type === 'string' && typeof v === 'string') {
      out += element(member.wireName, escapeXml(v));
      continue;
    }
    const at = `${path}.${member.key}`;
    if (s.type === 'list' && s.flattened) out += listItems(s.member, v, member.wireName, at);
    else if (s.type === 'map' && s.flattened) out += mapEntries(s, v, member.wireName, at);
    else out += element(member.wireName, body(s, v, at));
  }
  return out;
}

function body(shape: Shape, value: unknown, path: string): string {
  switch (shape.type) {
    case 'structure':
      return structureBody(shape, value, path);
    case 'list':
      return listItems(shape.member, value, shape.memberName, path);
    case 'map':
      return mapEntries(shape, value, 'entry', path);
    case 'string':
      if (typeof value !== 'string') throw mismatch(path, 'a string');
      return escapeXml(value);
    case 'boolean':
      if (typeof value !== 'boolean') throw mismatch(path, 'a boolean');
      return String(value);
    case 'integer':
    case 'long':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw mismatch(path, 'an integer');
      return String(value);
    case 'float':
    case 'double':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw mismatch(path, 'a number');
      return String(value);
    case 'timestamp':
      if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw mismatch(path, 'a valid Date');
      return value.toISOString();
    case 'blob':
      if (!(value instanceof Uint8Array)) throw mismatch(path, 'a Uint8Array');
      return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  }
}

function listItems(member: Shape, value: unknown, name: string, path: string): string {
  if (!Array.isArray(value)) throw mismatch(path, 'an array');
  return value.map((v: unknown, i) => element(name, body(member, v, `${path}[${i}]`))).join('');
}

function mapEntries(shape: MapShape, value: unknown, name: string, path: string): string {
  const entries = value instanceof Map ? [...value] : isPlain(value) ? Object.entries(value) : undefined;
  if (!entries) throw mismatch(path, 'a Map or an object');
  return entries
    .map(([k, v]) => element(name, element(shape.keyName, body(shape.key, k, path)) + element(shape.valueName, body(shape.value, v, `${path}.${String(k)}`))))
    .join('');
}

function isPlain(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function mismatch(path: string, expected: string): Error {
  return new Error(`protocol: result ${path} is not ${expected}`);
}
