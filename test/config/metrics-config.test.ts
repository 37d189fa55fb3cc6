/** METRICS_TOKEN and METRICS_PUBLIC (src/config.ts): secure by default, every problem listed, the token never echoed. */
import { describe, expect, it } from 'vitest';
import { MIN_METRICS_TOKEN_LENGTH, parseConfig } from '../../src/config.js';

const TOKEN = 'm3tr1cs-t0ken-0123456789abcdef-XYZ';

function problems(env: Record<string, string>): readonly string[] {
  const r = parseConfig(env);
  return r.ok ? [] : r.problems;
}

describe('metrics access', () => {
  it('is off when neither is set (or METRICS_PUBLIC=false)', () => {
    expect(parseConfig({})).toMatchObject({ ok: true, config: { metrics: { kind: 'off' } } });
    expect(parseConfig({ METRICS_PUBLIC: 'false' })).toMatchObject({ ok: true, config: { metrics: { kind: 'off' } } });
    expect(parseConfig({ METRICS_TOKEN: '   ' })).toMatchObject({ ok: true, config: { metrics: { kind: 'off' } } });
  });

  it('METRICS_TOKEN of 32 characters or more: bearer access', () => {
    expect(TOKEN.length).toBeGreaterThanOrEqual(MIN_METRICS_TOKEN_LENGTH);
    expect(parseConfig({ METRICS_TOKEN: TOKEN })).toEqual(expect.objectContaining({ ok: true, config: expect.objectContaining({ metrics: { kind: 'token', token: TOKEN } }) }));
    const exact = 'a'.repeat(MIN_METRICS_TOKEN_LENGTH);
    expect(parseConfig({ METRICS_TOKEN: exact })).toMatchObject({ ok: true, config: { metrics: { kind: 'token', token: exact } } });
  });

  it('METRICS_PUBLIC=true: anyone', () => {
    expect(parseConfig({ METRICS_PUBLIC: 'true' })).toMatchObject({ ok: true, config: { metrics: { kind: 'public' } } });
  });

  it.each(['short', 'a'.repeat(MIN_METRICS_TOKEN_LENGTH - 1), `${'a'.repeat(20)} ${'b'.repeat(20)}`, `${'a'.repeat(40)}\u00e9`])('refuses METRICS_TOKEN %j, without echoing it', (token) => {
    const listed = problems({ METRICS_TOKEN: token });
    expect(listed).toEqual([`METRICS_TOKEN must be at least ${MIN_METRICS_TOKEN_LENGTH} printable characters without spaces (e.g. openssl rand -hex 32)`]);
    for (const p of listed) expect(p).not.toContain(token.trim());
  });

  it('refuses both set, as a problem listed with the others, never echoing the token', () => {
    const listed = problems({ METRICS_TOKEN: TOKEN, METRICS_PUBLIC: 'true', PORT: '0' });
    expect(listed).toHaveLength(2);
    expect(listed).toContain('METRICS_TOKEN and METRICS_PUBLIC=true must not both be set: choose a token or public metrics');
    for (const p of listed) expect(p).not.toContain(TOKEN);
  });

  it('refuses a METRICS_PUBLIC that is not true or false', () => {
    expect(problems({ METRICS_PUBLIC: 'yes' })).toEqual(["METRICS_PUBLIC must be true or false, got 'yes'"]);
  });
});
