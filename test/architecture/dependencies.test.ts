/**
 * STYLE.md, "Dependencies point one way": main → app → http → sts, iam → federation, tokens,
 * auth, store → policy, sigv4, protocol, errors. Checked here on every `npm test`: no cycle
 * between the folders (and top-level files) of src/, and the leaves import nothing from the
 * database, the HTTP layer, hono or drizzle.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fileImports, findCycles, importSpecifiers, opaqueDynamicImports, sourceFiles, unitGraph, unitOf } from './import-graph.js';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

function graphOf(edges: Record<string, string[]>): Map<string, Set<string>> {
  return new Map(Object.entries(edges).map(([k, v]) => [k, new Set(v)]));
}

describe('the cycle finder', () => {
  it('finds nothing in a graph whose edges all point one way', () => {
    expect(findCycles(graphOf({ http: ['sts', 'iam', 'store'], sts: ['iam', 'auth', 'store'], iam: ['auth', 'store'], auth: ['store', 'policy'], store: ['policy'], policy: [] }))).toEqual([]);
  });

  it('names a planted two-folder cycle', () => {
    expect(findCycles(graphOf({ auth: ['iam', 'store'], iam: ['auth'], store: [] }))).toEqual([['auth', 'iam', 'auth']]);
  });

  it('names a longer cycle as a closed path, and each separate cycle once', () => {
    const cycles = findCycles(graphOf({ http: ['store'], store: ['policy'], policy: ['http'], a: ['b'], b: ['a'], c: ['a'] }));
    expect(cycles).toEqual([
      ['a', 'b', 'a'],
      ['http', 'store', 'policy', 'http'],
    ]);
  });

  it('ignores a folder importing itself', () => {
    expect(findCycles(graphOf({ iam: ['iam', 'store'], store: [] }))).toEqual([]);
  });
});

describe('reading imports', () => {
  it('sees static imports, type imports, re-exports, multi-line imports, side effects and import()', () => {
    const text = [
      "import { a } from '../store/a.js';",
      "import type { B } from '../auth/b.js';",
      "export { c } from './c.js';",
      "export * from '../d.js';",
      'import {\n  e,\n  f,\n} from "../http/e.js";',
      "import '../side.js';",
      "const g = await import('../sts/g.js');",
      "type H = import('../policy/h.js').H;",
      "import { z } from 'hono';",
    ].join('\n');
    expect(importSpecifiers(text).sort()).toEqual(['../auth/b.js', '../d.js', '../http/e.js', '../policy/h.js', '../side.js', '../store/a.js', '../sts/g.js', './c.js', 'hono'].sort());
  });

  it('flags an import() whose target it cannot read', () => {
    expect(opaqueDynamicImports("await import(`./${name}.js`); await import('./fixed.js');")).toEqual(['import(`./${name}.js`)']);
  });
});

describe('the folders of src/', () => {
  const files = sourceFiles(SRC);

  it('every import() names its module literally, so the graph below is complete', () => {
    for (const f of files) expect(opaqueDynamicImports(readFileSync(f, 'utf8')), relative(SRC, f)).toEqual([]);
  });

  it('every relative import resolves to a file that exists, so no edge of the graph is lost', () => {
    for (const f of files) {
      for (const target of fileImports(f).local) expect(existsSync(target), `${relative(SRC, f)} imports ${relative(SRC, target)}`).toBe(true);
    }
  });

  it('import each other without a cycle', () => {
    const cycles = findCycles(unitGraph(SRC)).map((c) => c.join(' → '));
    expect(cycles, `folder import cycles in src/: ${cycles.join('; ')}`).toEqual([]);
  });
});

describe('the leaves', () => {
  const LEAVES = ['policy', 'sigv4', 'protocol', 'errors.ts', 'arn.ts'];
  const FORBIDDEN_UNITS = new Set(['store', 'http']);
  const FORBIDDEN_PACKAGES = /^(?:hono|drizzle-orm)(?:\/|$)/;

  for (const leaf of LEAVES) {
    it(`${leaf} imports nothing from store/, http/, hono or drizzle-orm`, () => {
      const files = sourceFiles(SRC).filter((f) => unitOf(SRC, f) === leaf);
      expect(files.length, leaf).toBeGreaterThan(0);
      for (const f of files) {
        const { local, packages } = fileImports(f);
        for (const target of local) expect(FORBIDDEN_UNITS.has(unitOf(SRC, target)), `${relative(SRC, f)} imports ${relative(SRC, target)}`).toBe(false);
        for (const p of packages) expect(FORBIDDEN_PACKAGES.test(p), `${relative(SRC, f)} imports ${p}`).toBe(false);
      }
    });
  }

  it('arn.ts imports nothing at all and never reads the clock or the environment', () => {
    const text = readFileSync(join(SRC, 'arn.ts'), 'utf8');
    expect(importSpecifiers(text)).toEqual([]);
    expect(text).not.toMatch(/Date\.now|new Date\(|performance\.|process\./);
  });
});

describe('metrics', () => {
  it('prom-client is imported by src/metrics.ts alone (one registry per service, built there)', () => {
    const importers = sourceFiles(SRC)
      .filter((f) => fileImports(f).packages.some((p) => /^prom-client(\/|$)/.test(p)))
      .map((f) => relative(SRC, f));
    expect(importers).toEqual(['metrics.ts']);
  });
});

describe('third-party SAML code', () => {
  it('samlify and its XML stack (@xmldom/xmldom, xml-crypto) are imported by src/federation/saml/samlify.ts alone', () => {
    const importers = sourceFiles(SRC)
      .filter((f) => fileImports(f).packages.some((p) => /^(samlify|@xmldom\/xmldom|xml-crypto|@authenio\/xml-encryption)(\/|$)/.test(p)))
      .map((f) => relative(SRC, f));
    expect(importers).toEqual(['federation/saml/samlify.ts']);
  });

  it('libxml2-wasm, the schema validator, is imported by src/federation/saml/schema.ts alone', () => {
    const importers = sourceFiles(SRC)
      .filter((f) => fileImports(f).packages.some((p) => /^libxml2-wasm(\/|$)/.test(p)))
      .map((f) => relative(SRC, f));
    expect(importers).toEqual(['federation/saml/schema.ts']);
  });
});

describe('third-party TOTP code', () => {
  it('otplib is imported by src/auth/totp.ts alone', () => {
    const importers = sourceFiles(SRC)
      .filter((f) => fileImports(f).packages.some((p) => /^(otplib|@otplib\/)/.test(p)))
      .map((f) => relative(SRC, f));
    expect(importers).toEqual(['auth/totp.ts']);
  });
});
