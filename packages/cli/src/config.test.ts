import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BarbicanError } from '@barbican/core';
import {
  discoverConfig,
  errorLocations,
  loadPolicy,
  parseConfigText,
  positionAt,
  readStructuredFile,
} from './config.ts';

const dir = mkdtempSync(join(tmpdir(), 'barbican-config-'));
function file(name: string, content: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

function fails(fn: () => unknown, code: string, pattern?: RegExp): BarbicanError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof BarbicanError, `expected a BarbicanError, got ${String(caught)}`);
  assert.equal(caught.code, code);
  if (pattern) assert.match(caught.message, pattern);
  return caught;
}

describe('config files: parse errors name file, line, column and byte offset', () => {
  it('JSON syntax error', () => {
    const e = fails(
      () => parseConfigText('c.json', '{\n  "preset": "strict",\n  oops\n}'),
      'BARBICAN_E_CONFIG_FILE',
    );
    assert.equal(e.path, 'c.json:3:3');
    assert.equal(e.offset, 26);
  });

  it('byte offsets count UTF-8 bytes, columns count characters', () => {
    assert.deepEqual(positionAt('é: x\nab', 6), { line: 2, column: 2, offset: 7 });
  });

  it('duplicate keys are errors in YAML and in JSON', () => {
    const y = fails(
      () => parseConfigText('c.yaml', 'preset: strict\npreset: api\n'),
      'BARBICAN_E_CONFIG_FILE',
      /unique/,
    );
    assert.equal(y.path, 'c.yaml:2:1');
    fails(
      () => parseConfigText('c.json', '{"headers": {"hsts": false, "hsts": true}}'),
      'BARBICAN_E_CONFIG_FILE',
      /unique/,
    );
  });

  it('refuses language tags, and expands aliases only within a bound', () => {
    fails(() => parseConfigText('c.yml', 'a: !!js/function "x"\n'), 'BARBICAN_E_CONFIG_FILE');
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++)
      bomb.push(
        `${'b'.repeat(i)}: &${'a'.repeat(i + 1)} [${Array(10)
          .fill(`*${'a'.repeat(i)}`)
          .join(', ')}]`,
      );
    fails(() => parseConfigText('c.yaml', bomb.join('\n')), 'BARBICAN_E_CONFIG_FILE');
  });

  it('binary garbage and invalid UTF-8 are refused with an offset', () => {
    const e = fails(
      () => parseConfigText('c.json', new Uint8Array([0x7b, 0x0a, 0x00, 0xff])),
      'BARBICAN_E_CONFIG_FILE',
      /binary/,
    );
    assert.equal(e.offset, 2);
    fails(
      () => parseConfigText('c.yaml', new Uint8Array([0x61, 0x3a, 0x20, 0xc3, 0x28])),
      'BARBICAN_E_CONFIG_FILE',
      /UTF-8/,
    );
  });

  it('__proto__ keys are refused anywhere, and never pollute', () => {
    for (const text of [
      '{"__proto__": {"polluted": 1}}',
      '{"headers": {"csp": {"directives": {"__proto__": ["x"]}}}}',
    ]) {
      fails(() => parseConfigText('c.json', text), 'BARBICAN_E_UNKNOWN_OPTION', /__proto__/);
    }
    fails(
      () => parseConfigText('c.yaml', '__proto__:\n  polluted: 1\n'),
      'BARBICAN_E_UNKNOWN_OPTION',
    );
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('deep nesting is refused instead of overflowing the stack', () => {
    fails(
      () => parseConfigText('c.json', '['.repeat(200) + ']'.repeat(200)),
      'BARBICAN_E_CONFIG_FILE',
    );
  });
});

describe('config files: contents', () => {
  it('a file that is not an object is a clear error', async () => {
    for (const [name, text, what] of [
      ['list.json', '[1, 2]', /not a list/],
      ['str.yaml', 'just a string\n', /not a string/],
      ['empty.yml', '', /empty/],
      ['num.json', '42', /not a number/],
    ] as const) {
      await assert.rejects(readStructuredFile(file(name, text)), (e: unknown) => {
        assert.ok(e instanceof BarbicanError);
        assert.equal(e.code, 'BARBICAN_E_CONFIG_FILE');
        assert.match(e.message, what);
        return true;
      });
    }
  });

  it('validation errors are the core’s, located in the file', async () => {
    const p = file('typo.yaml', 'preset: barbican\nheaders:\n  hsts:\n    maxage: 10\n');
    await assert.rejects(loadPolicy(p), (e: unknown) => {
      assert.ok(e instanceof BarbicanError);
      assert.equal(e.code, 'BARBICAN_E_UNKNOWN_OPTION');
      assert.equal(e.path, 'headers.hsts.maxage');
      assert.match(e.message, /maxAge/);
      assert.match(errorLocations.get(e) ?? '', /typo\.yaml:4:\d+$/);
      return true;
    });
  });

  it('CR/LF inside a value is BARBICAN_E_UNSAFE_VALUE with the option path', async () => {
    const p = file('crlf.json', '{"headers": {"xFrameOptions": "DENY\\r\\nSet-Cookie: a=b"}}');
    await assert.rejects(loadPolicy(p), (e: unknown) => {
      assert.ok(e instanceof BarbicanError);
      assert.equal(e.code, 'BARBICAN_E_UNSAFE_VALUE');
      assert.equal(e.path, 'headers.xFrameOptions');
      return true;
    });
  });

  it('huge numbers are range or type errors, never silently clamped', async () => {
    for (const n of ['1e400', '99999999999999999999', '-1', '1.5']) {
      const p = file('huge.json', `{"headers": {"hsts": {"maxAge": ${n}}}}`);
      await assert.rejects(loadPolicy(p), (e: unknown) => {
        assert.ok(e instanceof BarbicanError);
        assert.ok(['BARBICAN_E_RANGE', 'BARBICAN_E_TYPE'].includes(e.code), e.code);
        assert.equal(e.path, 'headers.hsts.maxAge');
        return true;
      });
    }
  });

  it('oversized files and missing files are refused before parsing', async () => {
    const big = file('big.json', `{"a": "${'x'.repeat(1024 * 1024)}"}`);
    await assert.rejects(readStructuredFile(big), /at most 1048576 bytes are read/);
    await assert.rejects(readStructuredFile(join(dir, 'nope.json')), /does not exist/);
    await assert.rejects(readStructuredFile(dir), /not a regular file/);
  });

  it('a valid YAML file builds the same policy as its JSON twin', async () => {
    const y = await loadPolicy(
      file('ok.yaml', 'preset: strict\nheaders:\n  hsts:\n    maxAge: 31536000\n'),
    );
    const j = await loadPolicy(
      file('ok.json', '{"preset":"strict","headers":{"hsts":{"maxAge":31536000}}}'),
    );
    assert.deepEqual(y.policy.headersFor({ https: true }), j.policy.headersFor({ https: true }));
  });
});

describe('config discovery', () => {
  it('finds barbican.config.json/.yaml/.yml and refuses two at once', async () => {
    const d = mkdtempSync(join(tmpdir(), 'barbican-discover-'));
    assert.equal(await discoverConfig(d), undefined);
    writeFileSync(join(d, 'barbican.config.yml'), 'preset: api\n');
    assert.equal(await discoverConfig(d), join(d, 'barbican.config.yml'));
    writeFileSync(join(d, 'barbican.config.json'), '{}');
    await assert.rejects(discoverConfig(d), /more than one config file/);
  });
});
