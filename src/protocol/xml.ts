/**
 * XML text for responses. Escapes the five markup characters and `\r` (which an XML parser would
 * otherwise normalise away), and replaces what XML 1.0 cannot carry at all (control characters
 * other than tab/LF/CR, lone surrogates, U+FFFE/U+FFFF) with U+FFFD, so a response is always
 * well-formed whatever a stored value holds.
 */

const SPECIAL = /[&<>"'\r]|[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/gu;

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\r': '&#13;',
};

/** Anything SPECIAL could match (a superset: any surrogate, paired or not), tested without the costly lookarounds. */
const MAYBE_SPECIAL = /[&<>"'\u0000-\u0008\u000B-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;

export function escapeXml(text: string): string {
  // Most values (ids, ARNs, dates) need nothing: answer them without a replace.
  if (!MAYBE_SPECIAL.test(text)) return text;
  return text.replace(SPECIAL, (c) => ENTITIES[c] ?? '\uFFFD');
}

export function element(name: string, content: string): string {
  return `<${name}>${content}</${name}>`;
}
