/**
 * Every package owns its error and warning codes (`packages/<name>/src/errors.ts`,
 * declared with core's `defineCodes`); `docs/errors.md` documents all of them.
 * This test lives in the CLI because the CLI is the package that sees every
 * other one. It finds the tables by that convention, so a new package's table
 * is covered as soon as it exists, and it fails when a package's sources use
 * a code that no table it may see declares.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';

const packagesDir = join(import.meta.dirname, '../..');
const CODE = /^BARBICAN_[EW]_[A-Z0-9_]+$/;

/** The workspace packages with a code table, by folder name. */
const packages = readdirSync(packagesDir).filter((name) =>
  existsSync(join(packagesDir, name, 'src/errors.ts')),
);

/** Every exported object whose keys are all codes: a package's tables. */
async function tablesOf(pkg: string): Promise<Record<string, string>> {
  const url = pathToFileURL(join(packagesDir, pkg, 'src/errors.ts')).href;
  const module = (await import(url)) as Record<string, unknown>;
  const codes: Record<string, string> = {};
  for (const value of Object.values(module)) {
    if (typeof value !== 'object' || value === null) continue;
    const keys = Object.keys(value);
    if (keys.length === 0 || !keys.every((k) => CODE.test(k))) continue;
    Object.assign(codes, value);
  }
  return codes;
}

/** code → the package whose table declares it (one entry per declaration). */
const owners: [code: string, pkg: string][] = [];
for (const pkg of packages) {
  for (const code of Object.keys(await tablesOf(pkg))) owners.push([code, pkg]);
}
const ownerOf = new Map(owners);

/** `@barbican/x` dependencies of a package, by folder name, transitively. */
function visible(pkg: string, seen = new Set<string>()): Set<string> {
  if (seen.has(pkg)) return seen;
  seen.add(pkg);
  const manifest = JSON.parse(readFileSync(join(packagesDir, pkg, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  for (const dep of Object.keys(manifest.dependencies ?? {})) {
    if (dep.startsWith('@barbican/')) visible(dep.slice('@barbican/'.length), seen);
  }
  return seen;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => join(dir, f));
}

const doc = readFileSync(join(packagesDir, '../docs/errors.md'), 'utf8');
/** code → the `## ` section of docs/errors.md it is documented under. */
const documented = new Map<string, string>();
let section = '';
for (const line of doc.split('\n')) {
  if (line.startsWith('## ')) section = line;
  const m = /^### (BARBICAN_[EW]_[A-Z0-9_]+)$/.exec(line);
  if (m?.[1] !== undefined) documented.set(m[1], section);
}

describe('error codes of every package', () => {
  it('finds the tables of core, the scanner and the CLI', () => {
    for (const pkg of ['core', 'scanner', 'cli']) assert.ok(packages.includes(pkg), pkg);
    assert.equal(ownerOf.get('BARBICAN_E_UNKNOWN_OPTION'), 'core');
    assert.equal(ownerOf.get('BARBICAN_E_SCAN_TIMEOUT'), 'scanner');
    assert.equal(ownerOf.get('BARBICAN_W_IMPORT_LOSSY'), 'cli');
  });

  it('declares each code in one table only', () => {
    const twice = owners.filter(([code], i) => owners.findIndex(([c]) => c === code) !== i);
    assert.deepEqual(twice, []);
  });

  it('docs/errors.md documents every code of every table, and no other', () => {
    assert.deepEqual(
      [...ownerOf.keys()].filter((c) => !documented.has(c)),
      [],
      'codes missing from docs/errors.md',
    );
    assert.deepEqual(
      [...documented.keys()].filter((c) => !ownerOf.has(c)),
      [],
      'documented codes that no table declares',
    );
  });

  it('documents each code in the section of the package that owns it', () => {
    const misplaced = [...ownerOf]
      .filter(([code, pkg]) => documented.get(code)?.includes(`@barbican/${pkg}`) === false)
      .map(([code, pkg]) => `${code} (owned by @barbican/${pkg}) under "${documented.get(code)}"`);
    assert.deepEqual(misplaced, []);
  });

  it("uses in each package's sources only codes declared by it or a package it depends on", () => {
    const stray: string[] = [];
    for (const pkg of readdirSync(packagesDir)) {
      const src = join(packagesDir, pkg, 'src');
      if (!existsSync(src)) continue;
      const allowed = visible(pkg);
      for (const file of sourceFiles(src)) {
        const text = readFileSync(file, 'utf8');
        // A trailing underscore is a prefix named in prose (`BARBICAN_E_SCAN_*`).
        for (const [code] of text.matchAll(/BARBICAN_[EW]_[A-Z0-9_]*[A-Z0-9]\b/g)) {
          const owner = ownerOf.get(code);
          if (owner === undefined || !allowed.has(owner)) {
            stray.push(`${file.slice(packagesDir.length + 1)}: ${code} (${owner ?? 'no table'})`);
          }
        }
      }
    }
    assert.deepEqual(stray, []);
  });
});
