import { describe, expect, it } from 'vitest';
import { parseProxyRange, type ProxyRange } from '../../src/config.js';
import { TrustedProxies } from '../../src/http/forwarded.js';

const ranges = (...entries: string[]): ProxyRange[] => entries.map((e) => parseProxyRange(e) ?? { address: 'invalid' });
const headers = (xff?: string | string[], proto?: string | string[]): Record<string, string[]> => ({
  ...(xff === undefined ? {} : { 'x-forwarded-for': Array.isArray(xff) ? xff : [xff] }),
  ...(proto === undefined ? {} : { 'x-forwarded-proto': Array.isArray(proto) ? proto : [proto] }),
});

describe('TrustedProxies.origin', () => {
  const proxies = new TrustedProxies(ranges('10.0.0.0/8', '192.0.2.7', '2001:db8::/32'));

  it.each([
    ['a peer that is not a proxy: its headers are ignored', '198.51.100.9', headers('203.0.113.5'), '198.51.100.9'],
    ['a trusted proxy with no X-Forwarded-For is the client', '10.1.2.3', headers(), '10.1.2.3'],
    ['a trusted proxy: the address it saw', '10.1.2.3', headers('203.0.113.5'), '203.0.113.5'],
    ['entries the client wrote itself (left of the last untrusted) are ignored', '10.1.2.3', headers('1.1.1.1, 203.0.113.5'), '203.0.113.5'],
    ['a chain of trusted proxies is walked through', '10.1.2.3', headers('203.0.113.5, 192.0.2.7, 10.9.9.9'), '203.0.113.5'],
    ['a spoofed trusted address left of the client stops nothing', '10.1.2.3', headers('10.0.0.1, 203.0.113.5'), '203.0.113.5'],
    ['every hop trusted: the furthest one', '10.1.2.3', headers('192.0.2.7, 10.9.9.9'), '192.0.2.7'],
    ['several X-Forwarded-For headers count as one list', '10.1.2.3', headers(['1.1.1.1', '203.0.113.5, 10.9.9.9']), '203.0.113.5'],
    ['an entry that is not an address stops the walk at the proxy that passed it', '10.1.2.3', headers('203.0.113.5, junk, 10.9.9.9'), '10.9.9.9'],
    ['junk right after the socket: the socket', '10.1.2.3', headers('203.0.113.5, unknown'), '10.1.2.3'],
    ['a port in an entry is not an address', '10.1.2.3', headers('203.0.113.5:4711'), '10.1.2.3'],
    ['IPv6 proxies and clients', '2001:db8::1', headers('2600::5, 2001:db8:ffff::1'), '2600::5'],
    ['an IPv4 peer on a dual-stack socket', '::ffff:10.1.2.3', headers('::ffff:203.0.113.5'), '203.0.113.5'],
    ['an IPv4-mapped peer that is not trusted is shown plain', '::ffff:198.51.100.9', headers('203.0.113.5'), '198.51.100.9'],
  ])('%s', (_name, peer, h, client) => {
    expect(proxies.origin(peer, false, h).sourceIp).toBe(client);
  });

  it('believes X-Forwarded-Proto only from a trusted proxy, and only if every hop says https', () => {
    expect(proxies.origin('198.51.100.9', false, headers(undefined, 'https')).secureTransport).toBe(false);
    expect(proxies.origin('198.51.100.9', true, headers(undefined, 'http')).secureTransport).toBe(true);
    expect(proxies.origin('10.1.2.3', false, headers(undefined, 'https')).secureTransport).toBe(true);
    expect(proxies.origin('10.1.2.3', false, headers(undefined, 'HTTPS, https')).secureTransport).toBe(true);
    expect(proxies.origin('10.1.2.3', false, headers(undefined, 'https, http')).secureTransport).toBe(false);
    expect(proxies.origin('10.1.2.3', false, headers(undefined, ['https', 'http'])).secureTransport).toBe(false);
    expect(proxies.origin('10.1.2.3', true, headers()).secureTransport).toBe(true);
    expect(proxies.origin('10.1.2.3', false, headers()).secureTransport).toBe(false);
  });
});
