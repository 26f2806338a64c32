/**
 * Proves the shipped artefact, not the sources: builds the tarball users
 * install, installs it into a scratch project outside the monorepo, then
 * serves real requests with it under plain Node and type-checks a consumer
 * against its declarations.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { packPackage } from '../../../scripts/pack.ts';

const root = resolve(import.meta.dirname, '../../..');
const node = process.execPath;

describe('the packed @barbican/core tarball', () => {
  let project: string;
  let tarball: string;

  before(() => {
    project = mkdtempSync(join(tmpdir(), 'barbican-consumer-'));
    tarball = packPackage('packages/core', join(project, 'tarballs'));
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    );
    // Zero dependencies: installing the tarball needs no registry.
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], {
      cwd: project,
      stdio: 'pipe',
    });
  });
  after(() => rmSync(project, { recursive: true, force: true }));

  it('contains compiled JavaScript and declarations, and no sources or tests', () => {
    const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n');
    assert.ok(files.includes('package/index.js'));
    assert.ok(files.includes('package/index.d.ts'));
    assert.ok(files.includes('package/adapters/express.js'));
    assert.deepEqual(
      files.filter((f) => /\.test\.|\.ts$/.test(f) && !f.endsWith('.d.ts')),
      [],
    );
  });

  it('serves a real request through @barbican/core/node under plain Node', () => {
    const script = join(project, 'serve.mjs');
    writeFileSync(
      script,
      `
import { createServer } from 'node:http';
import { createPolicy, BarbicanError } from '@barbican/core';
import { withBarbican } from '@barbican/core/node';
import { secureFetch } from '@barbican/core/fetch';
const policy = createPolicy({ preset: 'strict', allowedHosts: ['*'] });
const server = createServer(withBarbican((req, res) => res.end('ok'), policy)).listen(0, '127.0.0.1', async () => {
  const r = await fetch('http://127.0.0.1:' + server.address().port + '/');
  const viaFetch = await secureFetch(() => new Response('x'), policy)(new Request('https://app.example/'));
  let code;
  try { createPolicy({ headers: { hsts: { maxage: 1 } } }); } catch (e) { code = e instanceof BarbicanError ? e.code : 'other'; }
  console.log(JSON.stringify({
    status: r.status,
    xfo: r.headers.get('x-frame-options'),
    csp: r.headers.get('content-security-policy') !== null,
    hsts: viaFetch.headers.get('strict-transport-security'),
    code,
  }));
  server.close();
});
`,
    );
    const out = JSON.parse(
      execFileSync(node, [script], { cwd: project, encoding: 'utf8' }),
    ) as Record<string, unknown>;
    assert.deepEqual(out, {
      status: 200,
      xfo: 'DENY',
      csp: true,
      hsts: 'max-age=63072000; includeSubDomains',
      code: 'BARBICAN_E_UNKNOWN_OPTION',
    });
  });

  it('exports the header parsers from @barbican/core/parsers, not from the root', () => {
    const script = join(project, 'parsers.mjs');
    writeFileSync(
      script,
      `
import * as root from '@barbican/core';
import { parseHsts, parseCsp } from '@barbican/core/parsers';
console.log(JSON.stringify({
  maxAge: parseHsts('max-age=600; includeSubDomains').maxAge,
  scriptSrc: parseCsp("script-src 'self'").policies[0].directives.get('script-src'),
  rootHasParser: 'parseHsts' in root,
}));
`,
    );
    const out = JSON.parse(
      execFileSync(node, [script], { cwd: project, encoding: 'utf8' }),
    ) as Record<string, unknown>;
    assert.deepEqual(out, { maxAge: 600, scriptSrc: ["'self'"], rootHasParser: false });
  });

  it('type-checks a TypeScript consumer against the shipped declarations', () => {
    writeFileSync(
      join(project, 'consumer.ts'),
      `
import { createPolicy, type PolicyOptions } from '@barbican/core';
import { secureFetch } from '@barbican/core/fetch';
const options: PolicyOptions = { preset: 'barbican', headers: { hsts: { maxAge: 31536000 } } };
const policy = createPolicy(options);
export const handler = secureFetch((_req, ctx) => new Response(ctx.nonce()), policy);
// @ts-expect-error: a typo in an option name is a type error too
createPolicy({ headers: { hsts: { maxage: 1 } } });
`,
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2023',
          lib: ['ES2023', 'DOM'],
          noEmit: true,
          skipLibCheck: false,
          types: [],
        },
        files: ['consumer.ts'],
      }),
    );
    execFileSync(node, [join(root, 'node_modules/typescript/bin/tsc'), '-p', project], {
      cwd: project,
      stdio: 'pipe',
    });
  });
});
