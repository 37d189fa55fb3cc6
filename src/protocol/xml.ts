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

export function escapeXml(text: string): string {
  return text.replace(SPECIAL, (c) => ENTITIES[c] ?? '\uFFFD');
}

export function element(name: string, content: string): string {
  return `<${name}>${content}</${name}>`;
}
