/**
 * The import graph of every package's `src` is a tree (a DAG), even counting
 * `import type`: ESLint's `import-x/no-cycle` ignores type-only imports, and
 * a type cycle still ties modules together (a leaf type module cannot move
 * without dragging the cycle along). STYLE.md rule 11.
 *
 * Every static import, `import type`, `export … from` and literal dynamic
 * `import()` counts; `@barbican/<pkg>` specifiers resolve through the
 * package's `exports` map, so a cycle between packages is caught too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(import.meta.dirname, '..');
const PACKAGES = join(ROOT, 'packages');

/** `@barbican/<name>[/sub]` → absolute file, from each package's `exports`. */
function workspaceExports(): Map<string, string> {
  const map = new Map<string, string>();
  for (const dir of readdirSync(PACKAGES)) {
    const manifest = join(PACKAGES, dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
      name: string;
      exports?: Record<string, string>;
    };
    for (const [sub, target] of Object.entries(pkg.exports ?? {})) {
      if (!target.endsWith('.ts')) continue;
      const specifier = sub === '.' ? pkg.name : `${pkg.name}/${sub.slice(2)}`;
      map.set(specifier, join(PACKAGES, dir, target));
    }
  }
  return map;
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** Every module each `src` file imports (values, types, re-exports, dynamic). */
function importGraph(): Map<string, string[]> {
  const exportsMap = workspaceExports();
  const graph = new Map<string, string[]>();
  for (const pkg of readdirSync(PACKAGES)) {
    for (const file of sourceFiles(join(PACKAGES, pkg, 'src'))) {
      const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
      const edges: string[] = [];
      for (const { fileName } of info.importedFiles) {
        const target = fileName.startsWith('.')
          ? resolve(dirname(file), fileName)
          : exportsMap.get(fileName);
        if (target !== undefined && target.endsWith('.ts')) edges.push(target);
      }
      graph.set(file, edges);
    }
  }
  return graph;
}

/** Tarjan's strongly connected components; every component of more than one module is a cycle. */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    const selfLoop = (graph.get(v) ?? []).includes(v);
    if (component.length > 1 || selfLoop) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

test('no import cycle in packages/*/src, counting type-only imports', () => {
  const graph = importGraph();
  assert.ok(graph.size > 100, `expected the whole source tree, read ${String(graph.size)} files`);
  const described = cycles(graph).map((c) => c.map((f) => relative(ROOT, f)).join(' ↔ '));
  assert.deepEqual(described, []);
});

test('the cycle finder sees a cycle through a type-only import', () => {
  const graph = new Map([
    ['a', ['b']],
    ['b', ['c']],
    ['c', ['a']],
    ['d', ['a']],
  ]);
  assert.deepEqual(cycles(graph), [['a', 'b', 'c']]);
  const info = ts.preProcessFile(
    "import type { X } from './x.ts';\nexport * from './y.ts';",
    true,
    true,
  );
  assert.deepEqual(
    info.importedFiles.map((f) => f.fileName),
    ['./x.ts', './y.ts'],
  );
});
