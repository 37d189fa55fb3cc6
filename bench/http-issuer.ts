/**
 * A local OpenID Connect issuer for the AssumeRoleWithWebIdentity row of the HTTP bench: plain
 * http on loopback (the service allows that outside production), serving discovery and one RS256
 * key, and ID tokens signed with that key. It runs in the bench's own process; the service fetches
 * its keys once and then verifies every token with the cached key set, so what the row measures is
 * the service's own work (the counted fetches say whether that held).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';

export interface BenchIssuer {
  readonly issuer: string;
  readonly clientId: string;
  /** How many times the key set was fetched. */
  readonly keyFetches: () => number;
  /** An ID token for `sub`, valid for an hour. */
  token(sub: string): Promise<string>;
  close(): Promise<void>;
}

const KID = 'bench-1';

export async function startIssuer(): Promise<BenchIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: KID, alg: 'RS256', use: 'sig' }] });
  let fetches = 0;
  let issuer = '';
  const server: Server = createServer((req, res) => {
    const json = (status: number, body: string): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    };
    if (req.url === '/.well-known/openid-configuration') {
      return json(200, JSON.stringify({ issuer, jwks_uri: `${issuer}/keys`, response_types_supported: ['id_token'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'] }));
    }
    if (req.url === '/keys') {
      fetches++;
      return json(200, jwks);
    }
    json(404, '{"error":"not found"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'bench-app';
  const sign = (key: CryptoKey, sub: string): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ sub, aud: clientId }).setProtectedHeader({ alg: 'RS256', kid: KID, typ: 'JWT' }).setIssuer(issuer).setIssuedAt(now).setExpirationTime(now + 3600).sign(key);
  };
  return {
    issuer,
    clientId,
    keyFetches: () => fetches,
    token: (sub) => sign(privateKey, sub),
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
