/**
 * `barbican` under a Node older than `engines`: one line naming the Node
 * needed, exit 2, never a raw ERR_UNKNOWN_FILE_EXTENSION stack.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const launcher = fileURLToPath(new URL('../src/barbican.js', import.meta.url));
const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  bin: Record<string, string>;
  engines: { node: string };
};

const ONE_LINE =
  /^barbican: needs Node\.js 22\.18 or later, and this is v[\d.]+; .*\[BARBICAN_E_USAGE\]\n$/;

function older(version: string): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  return major < 22 || (major === 22 && minor < 18);
}

describe('the barbican executable on an old Node', () => {
  it('is the plain-JavaScript launcher, and it names the engines floor', () => {
    assert.equal(manifest.bin.barbican, './src/barbican.js');
    assert.equal(manifest.engines.node, '>=22.18');
  });

  it('prints one line and exits 2 when Node is older (version reported as 20.11.1)', () => {
    // process.versions.node is configurable: a preload makes this Node look old.
    const pretend = `data:text/javascript,Object.defineProperty(process.versions,'node',{value:'20.11.1'})`;
    const r = spawnSync(process.execPath, ['--import', pretend, launcher, 'check'], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, ONE_LINE);
  });

  it("with the machine's own Node (Debian's nodejs), as a user who runs it by mistake", () => {
    const system = '/usr/bin/node';
    assert.ok(
      existsSync(system),
      'the Debian package nodejs provides /usr/bin/node (CI runs npm with it)',
    );
    const version = spawnSync(system, ['--version'], { encoding: 'utf8' }).stdout.trim();
    const r = spawnSync(system, [launcher, '--version'], { encoding: 'utf8' });
    if (older(version)) {
      assert.equal(r.status, 2);
      assert.match(r.stderr, ONE_LINE);
      assert.doesNotMatch(r.stderr, /ERR_UNKNOWN_FILE_EXTENSION|\n\s+at /);
    } else {
      assert.equal(r.status, 0, r.stderr);
    }
  });

  it('runs the CLI on a current Node', () => {
    const r = spawnSync(process.execPath, [launcher, '--version'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
  });
});
