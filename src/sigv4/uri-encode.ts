/**
 * SigV4's URI encoding: every byte except the unreserved characters A-Z a-z 0-9 - . _ ~ becomes
 * %XY with upper-case hex (and '/' is kept in paths). Works on bytes so that what the client sent
 * survives exactly, whatever its UTF-8 validity.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 */

const HEX = '0123456789ABCDEF';
const utf8 = new TextEncoder();

function isUnreserved(b: number): boolean {
  return (
    (b >= 0x41 && b <= 0x5a) || // A-Z
    (b >= 0x61 && b <= 0x7a) || // a-z
    (b >= 0x30 && b <= 0x39) || // 0-9
    b === 0x2d || // -
    b === 0x2e || // .
    b === 0x5f || // _
    b === 0x7e // ~
  );
}

export function uriEncode(input: string | Uint8Array, keepSlash = false): string {
  const bytes = typeof input === 'string' ? utf8.encode(input) : input;
  let out = '';
  for (const b of bytes) {
    if (isUnreserved(b) || (keepSlash && b === 0x2f)) out += String.fromCharCode(b);
    else out += '%' + HEX.charAt(b >> 4) + HEX.charAt(b & 0x0f);
  }
  return out;
}

const HEX_PAIR = /^[0-9A-Fa-f]{2}$/;

/**
 * Percent-decodes to bytes. A '%' not followed by two hex digits is kept literally (it will be
 * re-encoded as %25); '+' is a literal plus, not a space: SigV4 signers never emit '+' for space.
 */
export function percentDecode(raw: string): Uint8Array {
  const out: number[] = [];
  const chars = Array.from(raw);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] ?? '';
    const pair = (chars[i + 1] ?? '') + (chars[i + 2] ?? '');
    if (c === '%' && HEX_PAIR.test(pair)) {
      out.push(parseInt(pair, 16));
      i += 2;
    } else {
      for (const b of utf8.encode(c)) out.push(b);
    }
  }
  return Uint8Array.from(out);
}
