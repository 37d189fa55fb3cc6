/**
 * IpAddress / NotIpAddress over IPv4 and IPv6 addresses and CIDR blocks (RFC 4632, RFC 4291).
 * Addresses are held as eight 16-bit words; IPv4 is stored IPv4-mapped (::ffff:a.b.c.d), so an
 * IPv4-mapped IPv6 source address matches an IPv4 block, while an IPv6 block never matches an
 * IPv4 source (and the other way round).
 */
import type { BaseOperator } from '../types.js';
import { anyOf, type OperatorFamily } from './family.js';

interface Address {
  readonly words: Uint16Array;
  readonly v4: boolean;
}

interface Block extends Address {
  /** Prefix length over the 128-bit form. */
  readonly prefix: number;
}

const DEC_OCTET = /^(?:0|[1-9]\d{0,2})$/;
const HEX_WORD = /^[0-9A-Fa-f]{1,4}$/;

function parseV4(s: string, into: Uint16Array, at: number): boolean {
  const octets = s.split('.');
  if (octets.length !== 4) return false;
  const n: number[] = [];
  for (const o of octets) {
    if (!DEC_OCTET.test(o)) return false;
    const v = Number(o);
    if (v > 255) return false;
    n.push(v);
  }
  into[at] = ((n[0] as number) << 8) | (n[1] as number);
  into[at + 1] = ((n[2] as number) << 8) | (n[3] as number);
  return true;
}

function parseV6(s: string): Uint16Array | undefined {
  const words = new Uint16Array(8);
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const groups = part.split(':');
    const out: number[] = [];
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i] as string;
      if (i === groups.length - 1 && g.includes('.')) {
        const tail = new Uint16Array(2);
        if (!parseV4(g, tail, 0)) return undefined;
        out.push(tail[0] as number, tail[1] as number);
      } else if (HEX_WORD.test(g)) {
        out.push(parseInt(g, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = parseGroups(halves[0] as string);
  if (!head) return undefined;
  if (halves.length === 1) {
    if (head.length !== 8) return undefined;
    words.set(head);
    return words;
  }
  const tail = parseGroups(halves[1] as string);
  if (!tail || head.length + tail.length > 7) return undefined;
  words.set(head, 0);
  words.set(tail, 8 - tail.length);
  return words;
}

function isMappedV4(w: Uint16Array): boolean {
  return w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 0 && w[4] === 0 && w[5] === 0xffff;
}

export function parseAddress(s: string): Address | undefined {
  if (s.includes(':')) {
    const words = parseV6(s);
    return words && { words, v4: isMappedV4(words) };
  }
  const words = new Uint16Array(8);
  words[5] = 0xffff;
  return parseV4(s, words, 6) ? { words, v4: true } : undefined;
}

/** `a.b.c.d`, `a.b.c.d/n`, an IPv6 address or `x::/n`; a bare address is a /32 or /128. */
export function parseBlock(s: string): Block | undefined {
  const slash = s.indexOf('/');
  const addr = parseAddress(slash < 0 ? s : s.slice(0, slash));
  if (!addr) return undefined;
  const written = slash < 0 ? undefined : s.slice(slash + 1);
  const max = addr.v4 && !s.includes(':') ? 32 : 128;
  if (written !== undefined && !/^(?:0|[1-9]\d{0,2})$/.test(written)) return undefined;
  const bits = written === undefined ? max : Number(written);
  if (bits > max) return undefined;
  return { ...addr, prefix: max === 32 ? bits + 96 : bits };
}

function contains(block: Block, addr: Address): boolean {
  if (block.v4 !== addr.v4) return false;
  let bits = block.prefix;
  for (let i = 0; i < 8 && bits > 0; i++, bits -= 16) {
    const mask = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
    if (((block.words[i] as number) & mask) !== ((addr.words[i] as number) & mask)) return false;
  }
  return true;
}

export const ipFamily: OperatorFamily = {
  operators: new Map<BaseOperator, { negated: boolean }>([
    ['IpAddress', { negated: false }],
    ['NotIpAddress', { negated: true }],
  ]),
  validate: (_op, value) => (parseBlock(value) === undefined ? `Invalid IP address or CIDR in condition value: ${value}` : undefined),
  compile(_op, values) {
    return anyOf(values.map((v) => parseBlock(v) as Block), (v, block) => {
      const addr = parseAddress(v);
      return addr !== undefined && contains(block, addr);
    });
  },
};
