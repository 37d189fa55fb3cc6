/**
 * The folder-level import graph of src/, and the cycles in it. STYLE.md: "Dependencies point one
 * way" (main → app → http → sts, iam → federation, tokens, auth, store → policy, sigv4, protocol,
 * errors); a cycle between two folders means neither can be understood, tested or replaced alone.
 * Plain text reading, no TypeScript compiler: the repository's imports are all relative
 * specifiers in `import … from`, `export … from` or `import('…')`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * Every specifier a source file imports: static imports (`import type` too), re-exports,
 * side-effect imports, and `import('…')` (dynamic imports and type queries).
 */
export function importSpecifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[^'";]*?\sfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of source.matchAll(re)) if (m[1] !== undefined) found.push(m[1]);
  return found;
}

/** `import(` calls whose argument is not a string literal: the graph cannot see where they lead. */
export function opaqueDynamicImports(source: string): string[] {
  return [...source.matchAll(/\bimport\s*\(\s*(?!['"])([^)]*)\)/g)].map((m) => m[0]);
}

/** Every .ts file under `dir`, recursively, as absolute paths. */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out.sort();
}

/**
 * The unit a file belongs to: its top folder under src/ (`iam`, `store`), or the file itself
 * for a file directly in src/ (`arn.ts`, `service.ts`).
 */
export function unitOf(srcRoot: string, file: string): string {
  return relative(srcRoot, file).split(sep)[0] as string;
}

/** A file's imports: the relative ones resolved to the file they name, the others (packages, node:) as written. */
export interface FileImports {
  readonly file: string;
  readonly local: string[];
  readonly packages: string[];
}

export function fileImports(file: string): FileImports {
  const local: string[] = [];
  const packages: string[] = [];
  for (const spec of importSpecifiers(readFileSync(file, 'utf8'))) {
    if (spec.startsWith('.')) local.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
    else packages.push(spec);
  }
  return { file, local, packages };
}

/** unit → the units it imports (itself excluded), over every .ts file under srcRoot. */
export function unitGraph(srcRoot: string): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(srcRoot)) {
    const from = unitOf(srcRoot, file);
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const target of fileImports(file).local) {
      if (relative(srcRoot, target).startsWith('..')) continue;
      const to = unitOf(srcRoot, target);
      if (to !== from) edges.add(to);
    }
  }
  return graph;
}

/**
 * The cycles of a graph, one per strongly connected component with more than one node (Tarjan),
 * each written as a closed path through the component (`a → b → a`), so a failure names the
 * folders to untangle. Deterministic: nodes and edges are visited in sorted order.
 */
export function findCycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const nodes = [...new Set([...graph.keys(), ...[...graph.values()].flatMap((s) => [...s])])].sort();
  const next = (n: string): string[] => [...(graph.get(n) ?? [])].sort();
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of next(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      for (;;) {
        const w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        component.push(w);
        if (w === v) break;
      }
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const n of nodes) if (!index.has(n)) visit(n);
  return components.map((c) => closedPath(graph, c)).sort((a, b) => a.join().localeCompare(b.join()));
}

/** A shortest path from the component's first node back to itself, through the component only. */
function closedPath(graph: ReadonlyMap<string, ReadonlySet<string>>, component: readonly string[]): string[] {
  const inside = new Set(component);
  const start = component[0] as string;
  const parent = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift() as string;
    for (const w of [...(graph.get(v) ?? [])].sort()) {
      if (!inside.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let at: string | undefined = v; at !== undefined && at !== start; at = parent.get(at)) path.push(at);
        return [start, ...path.slice(1).reverse(), start];
      }
      if (!parent.has(w)) {
        parent.set(w, v);
        queue.push(w);
      }
    }
  }
  return [...component, start];
}
