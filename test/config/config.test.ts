import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';

describe('parseConfig', () => {
  it('has safe documented defaults', () => {
    const r = parseConfig({});
    expect(r).toEqual({
      ok: true,
      config: {
        port: 8080, host: '127.0.0.1', databaseUrl: undefined, dataDir: './data', keysDir: './keys',
        accountId: undefined, rootAccessKeyId: undefined, rootSecretAccessKey: undefined,
        allowedRegions: undefined, logLevel: 'info', production: false, workers: 1, trustedProxies: [],
        authorizationFailureMessages: 'plain',
        requestDeadlineMs: 5000,
        multiTenantIssuers: ['token.actions.githubusercontent.com', 'gitlab.com'],
        oidcCaBundle: undefined, oidcFetchTimeoutMs: 3000,
        googleIssuerUrl: 'https://accounts.google.com', facebookGraphUrl: 'https://graph.facebook.com', amazonApiUrl: 'https://api.amazon.com',
        consoleDestinations: [],
        saml: {
          entityId: 'urn:amazon:webservices',
          audiences: ['urn:amazon:webservices', 'https://signin.aws.amazon.com/saml'],
          recipients: ['https://signin.aws.amazon.com/saml'],
          skewMs: 300_000,
          allowSha1Providers: [],
        },
        metrics: { kind: 'off' },
      },
    });
  });

  it('CONSOLE_DESTINATIONS: absolute URL prefixes, https in production; anything else listed as a problem', () => {
    expect(parseConfig({ CONSOLE_DESTINATIONS: 'https://portal.example.com/app, http://127.0.0.1:3000/' })).toMatchObject({ ok: true, config: { consoleDestinations: ['https://portal.example.com/app', 'http://127.0.0.1:3000/'] } });
    for (const bad of ['/relative', 'javascript:alert(1)', 'https://a.example/?q=1', 'https://user:pw@a.example/', 'ftp://a.example/']) {
      const r = parseConfig({ CONSOLE_DESTINATIONS: bad });
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.problems.join('\n')).toMatch(/^CONSOLE_DESTINATIONS must be/);
    }
    expect(parseConfig({ NODE_ENV: 'production', CONSOLE_DESTINATIONS: 'http://portal.example.com' }).ok).toBe(false);
  });

  it('SAML_* settings: lists, the skew bound, provider ARNs for SHA-1', () => {
    const ok = parseConfig({
      SAML_SP_ENTITY_ID: 'https://sts.corp.example/saml',
      SAML_RECIPIENTS: 'https://sts.corp.example/saml, https://signin.aws.amazon.com/saml',
      SAML_SKEW_SECONDS: '60',
      SAML_ALLOW_SHA1_PROVIDERS: 'arn:aws:iam::123456789012:saml-provider/OldAdfs',
    });
    expect(ok).toMatchObject({
      ok: true,
      config: {
        saml: {
          entityId: 'https://sts.corp.example/saml',
          audiences: ['https://sts.corp.example/saml', 'https://signin.aws.amazon.com/saml'],
          recipients: ['https://sts.corp.example/saml', 'https://signin.aws.amazon.com/saml'],
          skewMs: 60_000,
          allowSha1Providers: ['arn:aws:iam::123456789012:saml-provider/OldAdfs'],
        },
      },
    });
    expect(parseConfig({ SAML_SKEW_SECONDS: '601' }).ok).toBe(false);
    expect(parseConfig({ SAML_RECIPIENTS: 'not a url' }).ok).toBe(false);
    expect(parseConfig({ SAML_ALLOW_SHA1_PROVIDERS: 'arn:aws:iam::123456789012:role/x' }).ok).toBe(false);
  });

  it('GOOGLE_ISSUER_URL, FACEBOOK_GRAPH_URL and AMAZON_API_URL: https URLs (plain http on loopback outside production), trailing slash dropped', () => {
    expect(parseConfig({ GOOGLE_ISSUER_URL: 'https://google-mirror.internal/', FACEBOOK_GRAPH_URL: 'http://127.0.0.1:9000', AMAZON_API_URL: 'https://lwa.internal:8443/api' })).toMatchObject({
      ok: true,
      config: { googleIssuerUrl: 'https://google-mirror.internal', facebookGraphUrl: 'http://127.0.0.1:9000', amazonApiUrl: 'https://lwa.internal:8443/api' },
    });
    for (const [name, value, env] of [
      ['GOOGLE_ISSUER_URL', 'http://accounts.google.com', {}],
      ['FACEBOOK_GRAPH_URL', 'https://graph.facebook.com?x=1', {}],
      ['AMAZON_API_URL', 'not a url', {}],
      ['AMAZON_API_URL', 'http://127.0.0.1:9000', { NODE_ENV: 'production', KEYS_DIR: './keys' }],
    ] as const) {
      const r = parseConfig({ ...env, [name]: value });
      expect(r.ok ? [] : r.problems).toEqual([expect.stringMatching(new RegExp(`^${name} must be an https:// URL`))]);
    }
  });

  it('OIDC_MULTI_TENANT_ISSUERS replaces the default list (URLs as IAM names them, https:// optional), or empties it with none', () => {
    expect(parseConfig({ OIDC_MULTI_TENANT_ISSUERS: 'https://Token.Actions.GitHubUserContent.com, gitlab.example.com:8443/ci/' })).toMatchObject({
      ok: true,
      config: { multiTenantIssuers: ['token.actions.githubusercontent.com', 'gitlab.example.com:8443/ci'] },
    });
    expect(parseConfig({ OIDC_MULTI_TENANT_ISSUERS: 'none' })).toMatchObject({ ok: true, config: { multiTenantIssuers: [] } });
    for (const value of ['https://x.example.com?q=1', 'two words', ',']) {
      const r = parseConfig({ OIDC_MULTI_TENANT_ISSUERS: value });
      expect(r.ok).toBe(false);
      expect(r.ok ? [] : r.problems).toEqual([expect.stringMatching(/^OIDC_MULTI_TENANT_ISSUERS must be `none` or a comma-separated list of provider URLs/)]);
    }
  });

  it('reads OIDC_CA_BUNDLE (a path) and OIDC_FETCH_TIMEOUT_MS', () => {
    const r = parseConfig({ OIDC_CA_BUNDLE: '/etc/latchkey/idp-ca.pem', OIDC_FETCH_TIMEOUT_MS: '1500' });
    expect(r.ok && r.config).toMatchObject({ oidcCaBundle: '/etc/latchkey/idp-ca.pem', oidcFetchTimeoutMs: 1500 });
  });

  it.each(['99', '30001', '3s', '-1'])('refuses OIDC_FETCH_TIMEOUT_MS %s', (value) => {
    const r = parseConfig({ OIDC_FETCH_TIMEOUT_MS: value });
    expect(r.ok ? [] : r.problems.join(' ')).toContain(`OIDC_FETCH_TIMEOUT_MS must be an integer from 100 to 30000 (milliseconds), got '${value}'`);
  });

  it('reads every variable', () => {
    const r = parseConfig({
      PORT: '9000', HOST: '0.0.0.0', DATABASE_URL: 'postgres://u:p@localhost/db', DATA_DIR: '/var/lib/latchkey',
      KEYS_DIR: '/etc/latchkey/keys', STS_ACCOUNT_ID: '111122223333', STS_ROOT_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      STS_ROOT_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', STS_ALLOWED_REGIONS: 'us-east-1, eu-west-1',
      LOG_LEVEL: 'debug', NODE_ENV: 'production', WORKERS: '4', TRUSTED_PROXIES: '10.0.0.0/8, 192.0.2.7,2001:db8::/32',
      AUTHORIZATION_FAILURE_MESSAGES: 'encoded',
      REQUEST_DEADLINE_MS: '1500',
    });
    expect(r.ok && r.config).toMatchObject({
      port: 9000, host: '0.0.0.0', allowedRegions: ['us-east-1', 'eu-west-1'], logLevel: 'debug', production: true, workers: 4, requestDeadlineMs: 1500,
      trustedProxies: [{ address: '10.0.0.0', prefix: 8 }, { address: '192.0.2.7' }, { address: '2001:db8::', prefix: 32 }],
      authorizationFailureMessages: 'encoded',
    });
  });

  it('AUTHORIZATION_FAILURE_MESSAGES is plain (AWS\'s IAM and STS text) or encoded, and nothing else', () => {
    expect(parseConfig({ AUTHORIZATION_FAILURE_MESSAGES: 'plain' })).toMatchObject({ ok: true, config: { authorizationFailureMessages: 'plain' } });
    for (const value of ['Encoded', 'on', 'true', 'plain,encoded']) {
      expect(parseConfig({ AUTHORIZATION_FAILURE_MESSAGES: value })).toEqual({ ok: false, problems: ['AUTHORIZATION_FAILURE_MESSAGES must be one of plain, encoded'] });
    }
  });

  it.each([
    [{ WORKERS: '0', DATABASE_URL: 'postgres://h/db' }, 'WORKERS must be an integer from 1 to 64'],
    [{ WORKERS: '65', DATABASE_URL: 'postgres://h/db' }, 'WORKERS must be an integer from 1 to 64'],
    [{ WORKERS: 'two', DATABASE_URL: 'postgres://h/db' }, 'WORKERS must be an integer from 1 to 64'],
    [{ WORKERS: '2' }, 'WORKERS above 1 needs DATABASE_URL'],
  ])('refuses WORKERS %j', (env, problem) => {
    const r = parseConfig(env);
    expect(r.ok ? [] : r.problems.join(' ')).toContain(problem);
  });

  it.each(['10.0.0.0/33', '10.0.0.0/', '10.0.0/8', 'proxy.internal', '2001:db8::/129', '10.0.0.1/8x'])('refuses TRUSTED_PROXIES entry %s', (entry) => {
    const r = parseConfig({ TRUSTED_PROXIES: `127.0.0.1, ${entry}` });
    expect(r.ok ? [] : r.problems.join(' ')).toContain(`TRUSTED_PROXIES must be a comma-separated list of IP addresses or CIDR blocks such as 10.0.0.0/8; not one: '${entry}'`);
  });

  it.each(['99', '300001', '5s', '-1', '1e4', '2.5'])('refuses REQUEST_DEADLINE_MS %s', (value) => {
    const r = parseConfig({ REQUEST_DEADLINE_MS: value });
    expect(r.ok ? [] : r.problems.join(' ')).toContain(`REQUEST_DEADLINE_MS must be an integer from 100 to 300000 (milliseconds), got '${value}'`);
  });

  it('one worker needs no database server', () => {
    expect(parseConfig({ WORKERS: '1' })).toMatchObject({ ok: true, config: { workers: 1 } });
  });

  it('lists every problem at once and never echoes a secret', () => {
    const secret = 'not-a-valid-secret-but-still-a-secret';
    const r = parseConfig({ PORT: '70000', DATABASE_URL: 'mysql://x', STS_ACCOUNT_ID: '12', STS_ROOT_SECRET_ACCESS_KEY: secret, STS_ALLOWED_REGIONS: 'mars', LOG_LEVEL: 'loud' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toHaveLength(7);
    for (const p of r.problems) expect(p).not.toContain(secret);
  });
});
