/**
 * Behind a load balancer or reverse proxy, the socket's peer is the proxy: the client's address
 * (`aws:SourceIp`, the audit's source IP) and whether it came over TLS (`aws:SecureTransport`)
 * are in the X-Forwarded-For and X-Forwarded-Proto headers the proxy adds. Anyone can send those
 * headers, so they are believed only from the proxies named in TRUSTED_PROXIES, and only as far
 * as the chain of trusted proxies goes:
 *
 * - X-Forwarded-For is read from the right (each proxy appends the address it saw). Entries that
 *   are trusted proxies are skipped; the first one that is not is the client. Entries further
 *   left were written by the client or by untrusted hops and are ignored.
 * - An entry that is not an IP address stops the walk: the client is then the trusted proxy that
 *   passed it on, the most that can be known.
 * - The connection counts as TLS only if every X-Forwarded-Proto entry says https.
 *
 * With no trusted proxies (the default) the headers are ignored and the socket is the truth.
 */
import { BlockList, isIP } from 'node:net';
import type { ProxyRange } from '../config.js';
import { headerValues, type HeaderValues } from '../sigv4/canonical-headers.js';

export interface ClientOrigin {
  readonly sourceIp: string;
  readonly secureTransport: boolean;
}

/** IPv4 clients of a dual-stack socket appear as `::ffff:a.b.c.d`: the address as IPv4. */
export function plain(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

export class TrustedProxies {
  readonly #list = new BlockList();

  constructor(ranges: readonly ProxyRange[]) {
    for (const r of ranges) {
      const family = isIP(r.address) === 6 ? 'ipv6' : 'ipv4';
      if (r.prefix === undefined) this.#list.addAddress(r.address, family);
      else this.#list.addSubnet(r.address, r.prefix, family);
    }
  }

  /** Is this (valid) address one of ours? */
  trusts(address: string): boolean {
    const family = isIP(address);
    return family !== 0 && this.#list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }

  /** Where the request really came from, given the socket's peer and the request's headers. */
  origin(peer: string, socketTls: boolean, headers: HeaderValues): ClientOrigin {
    let client = plain(peer);
    if (!this.trusts(client)) return { sourceIp: client, secureTransport: socketTls };
    const hops = entries(headerValues(headers, 'x-forwarded-for'));
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = plain(hops[i] ?? '');
      if (isIP(hop) === 0) break;
      client = hop;
      if (!this.trusts(hop)) break;
    }
    const protos = entries(headerValues(headers, 'x-forwarded-proto'));
    const secure = protos.length === 0 ? socketTls : protos.every((p) => p.toLowerCase() === 'https');
    return { sourceIp: client, secureTransport: secure };
  }
}

/** The comma-separated entries of a header sent once or several times, trimmed, empty ones dropped. */
function entries(values: readonly string[] | undefined): string[] {
  if (values === undefined) return [];
  const out: string[] = [];
  for (const value of values) {
    for (const part of value.split(',')) {
      const entry = part.trim();
      if (entry !== '') out.push(entry);
    }
  }
  return out;
}
