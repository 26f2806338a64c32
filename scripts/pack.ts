/**
 * Builds a workspace package into a publishable tarball.
 *
 * Inside the monorepo, packages export their TypeScript sources and Node 24
 * runs them directly. Published packages cannot: Node refuses to strip types
 * under `node_modules` (ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING). So the
 * tarball is built from a staging folder holding the compiled JavaScript, the
 * `.d.ts` declarations and a manifest whose `exports` point at them — the
 * artefact users install, which `packages/core/test/pack.test.ts` installs
 * into a scratch project and exercises with plain Node.
 *
 * Usage: `node scripts/pack.ts packages/core [--out DIR]` → prints the tarball path.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';

interface Manifest {
  name: string;
  version: string;
  exports?: Record<string, string>;
  bin?: Record<string, string>;
  [key: string]: unknown;
}

/** `./src/adapters/node.ts` → `./adapters/node.js` (and `.d.ts` beside it). */
function compiledPath(source: string, ext: '.js' | '.d.ts'): string {
  return `./${source.replace(/^\.\/src\//, '').replace(/\.ts$/, ext)}`;
}

/** Builds `packageDir` and packs it; returns the absolute path of the `.tgz`. */
export function packPackage(packageDir: string, outDir: string): string {
  const root = resolve(import.meta.dirname, '..');
  const pkgDir = resolve(root, packageDir);
  const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as Manifest;
  const stage = mkdtempSync(join(tmpdir(), 'barbican-pack-'));
  try {
    const tsconfig = join(stage, 'tsconfig.json');
    writeFileSync(
      tsconfig,
      JSON.stringify({
        extends: join(root, 'tsconfig.json'),
        compilerOptions: {
          noEmit: false,
          declaration: true,
          // A package's plain-JavaScript files (the CLI's launcher, which
          // must parse on any Node) are copied as they are.
          allowJs: true,
          rootDir: join(pkgDir, 'src'),
          outDir: join(stage, 'out'),
          // Packages must not see the monorepo's test types or other packages' sources.
          types: ['node'],
          typeRoots: [join(root, 'node_modules/@types')],
        },
        include: [join(pkgDir, 'src/**/*.ts'), join(pkgDir, 'src/**/*.js')],
        exclude: [join(pkgDir, 'src/**/*.test.ts')],
      }),
    );
    execFileSync(join(root, 'node_modules/.bin/tsc'), ['-p', tsconfig], { stdio: 'inherit' });

    const out = join(stage, 'out');
    const published: Manifest = { ...manifest };
    if (manifest.exports !== undefined) {
      published.exports = Object.fromEntries(
        Object.entries(manifest.exports).map(([key, target]) => [
          key,
          target.endsWith('.ts')
            ? ({
                types: compiledPath(target, '.d.ts'),
                default: compiledPath(target, '.js'),
              } as never)
            : target,
        ]),
      );
    }
    if (manifest.bin !== undefined) {
      published.bin = Object.fromEntries(
        Object.entries(manifest.bin).map(([k, v]) => [k, compiledPath(v, '.js')]),
      );
    }
    delete published.files;
    delete published.devDependencies;
    writeFileSync(join(out, 'package.json'), `${JSON.stringify(published, null, 2)}\n`);
    for (const extra of ['README.md', 'LICENSE']) {
      try {
        copyFileSync(join(pkgDir, extra), join(out, extra));
      } catch {
        // Optional files.
      }
    }
    mkdirSync(outDir, { recursive: true });
    const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', resolve(outDir)], {
      cwd: out,
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .pop();
    if (name === undefined || name === '')
      throw new Error(`npm pack printed no file name for ${packageDir}`);
    return resolve(outDir, basename(name));
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const [dir, flag, out] = process.argv.slice(2);
  if (dir === undefined || (flag !== undefined && flag !== '--out')) {
    process.stderr.write('usage: node scripts/pack.ts <package dir> [--out DIR]\n');
    process.exit(2);
  }
  const tarball = packPackage(dir, out ?? join(process.cwd(), 'dist'));
  process.stdout.write(`${relative(process.cwd(), tarball)}\n`);
}
