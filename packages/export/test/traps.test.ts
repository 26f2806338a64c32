/**
 * Each target's known pitfalls, one test each, with the real binaries where
 * the pitfall is the server's behaviour: version gates that the Debian 12
 * servers refuse when crossed, the stdout snippet included where the docs
 * say, escaping per format, and errors naming the option and the target.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createPolicy, type PolicyOptions } from '@barbican/core';
import { exportPolicy } from '@barbican/export';
import { runTool } from './harness/process.ts';
import { TRICKY } from './harness/proof.ts';
import { createPki, removeDir, writeFiles } from './harness/world.ts';

const pki = createPki();
after(() => removeDir(pki.dir));

const deploy = (dir: string, target: string) => ({
  dir,
  runtimeDir: dir,
  listen: { address: '127.0.0.1', http: 18_080, https: 18_443 },
  // HAProxy 2.6 reads the key from the certificate file (or <crt>.key).
  certificate:
    target === 'haproxy'
      ? { cert: pki.bundleFile, key: pki.bundleFile }
      : { cert: pki.certFile, key: pki.keyFile },
});

function exportTo(target: string, options: PolicyOptions, version?: string) {
  const dir = mkdtempSync(join(pki.dir, `${target}-`));
  const result = exportPolicy(createPolicy(options), target, {
    deploy: deploy(dir, target),
    ...(version === undefined ? {} : { targetVersion: version }),
  });
  writeFiles(dir, result.files);
  return { dir, result };
}

function nginxTest(dir: string, conf = 'nginx.conf') {
  return runTool('/usr/sbin/nginx', [
    '-t',
    '-p',
    dir,
    '-e',
    join(dir, 'error.log'),
    '-c',
    join(dir, conf),
  ]);
}

const HOSTS: PolicyOptions = { allowedHosts: ['app.test'], sslRedirect: true };

void describe('nginx traps', () => {
  void it('the stdout snippet passes nginx -t inside a server {} block, as documented', () => {
    for (const options of [{ preset: 'strict' as const }, TRICKY]) {
      const { dir, result } = exportTo('nginx', options);
      writeFileSync(join(dir, 'snippet.conf'), result.snippet);
      const dollar = result.files.some((f) => f.path === 'barbican-http.conf');
      writeFileSync(
        join(dir, 'wrap.conf'),
        `pid ${dir}/wrap.pid;\nevents {}\nhttp {\n${dollar ? `include ${dir}/barbican-http.conf;\n` : ''}server {\nlisten 127.0.0.1:18081;\ninclude ${dir}/snippet.conf;\n}\n}\n`,
      );
      const r = nginxTest(dir, 'wrap.conf');
      assert.equal(r.status, 0, r.output);
    }
  });
  void it('a literal $ goes through the geo variable; without it nginx refuses the value', () => {
    const { dir, result } = exportTo('nginx', TRICKY);
    assert.match(result.snippet, /a\$\{barbican_dollar\}b/);
    writeFileSync(
      join(dir, 'raw.conf'),
      `pid ${dir}/r.pid;\nevents {}\nhttp { server { add_header X "a$ b" always; } }\n`,
    );
    const raw = nginxTest(dir, 'raw.conf');
    assert.notEqual(raw.status, 0);
    assert.match(raw.output, /invalid variable name/);
  });
  void it('http2 is gated on 1.25.1: the newer syntax is refused by Debian 12 nginx', () => {
    const old = exportTo('nginx', HOSTS);
    const conf = old.result.files.find((f) => f.path === 'nginx.conf')?.content ?? '';
    assert.match(conf, /listen 127\.0\.0\.1:18443 ssl http2;/);
    assert.doesNotMatch(conf, /http2 on;/);
    assert.equal(nginxTest(old.dir).status, 0, nginxTest(old.dir).output);
    const newer = exportTo('nginx', HOSTS, '1.25.1');
    assert.match(
      newer.result.files.find((f) => f.path === 'nginx.conf')?.content ?? '',
      /http2 on;/,
    );
    const refused = nginxTest(newer.dir);
    assert.notEqual(refused.status, 0);
    assert.match(refused.output, /unknown directive "http2"/);
  });
  void it('add_header inheritance: a per-location include before 1.29.3, add_header_inherit after', () => {
    const old = exportTo('nginx', {}).result;
    assert.match(old.snippet, /include barbican-location-headers\.conf in that location/);
    assert.doesNotMatch(old.snippet, /add_header_inherit/);
    assert.match(exportTo('nginx', {}, '1.29.3').result.snippet, /^add_header_inherit merge;$/m);
  });
});

void describe('Apache traps', () => {
  void it('each header is unset in the onsuccess table, then set in always', () => {
    const { result } = exportTo('apache', { preset: 'api' });
    assert.match(
      result.snippet,
      /^Header onsuccess unset X-Frame-Options\nHeader always set X-Frame-Options "DENY"$/m,
    );
  });
  void it('% is doubled and a backslash is written for both readers (a literal \\n must not become a newline)', () => {
    const { result } = exportTo('apache', TRICKY);
    assert.match(result.snippet, /a\\\\\\\\\\\\\\\\b/); // one \\ in JSON = two characters, four each in the config
    assert.match(result.snippet, /1%%20\$/);
  });
  void it('ServerTokens is in the server-config file, never inside a VirtualHost', () => {
    const { result } = exportTo('apache', HOSTS);
    assert.doesNotMatch(result.snippet, /^ServerTokens/m);
    assert.match(
      result.files.find((f) => f.path === 'barbican-server.conf')?.content ?? '',
      /^ServerTokens Prod$/m,
    );
  });
  void it('a value with ${ is an error naming the option and the target', () => {
    const policy = createPolicy({
      headers: {
        reportTo: '{"group":"${X}","max_age":1,"endpoints":[{"url":"https://r.example/"}]}',
      },
    });
    assert.throws(() => exportPolicy(policy, 'apache'), {
      code: 'BARBICAN_E_EXPORT_UNSAFE',
      path: 'headers.reportTo',
    });
  });
});

void describe('Caddy traps', () => {
  const validate = (dir: string) =>
    runTool(
      '/usr/bin/caddy',
      ['validate', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'],
      {
        HOME: dir,
        XDG_DATA_HOME: dir,
        XDG_CONFIG_HOME: dir,
      },
    );
  void it('no > header prefix (Caddy 2.6 would make a header literally named ">X"): a deferred block', () => {
    const { result } = exportTo('caddy', { preset: 'strict' });
    assert.doesNotMatch(result.snippet, /^\s*>/m);
    assert.match(result.snippet, /^\tdefer$/m);
  });
  void it('trusted_proxies is gated on 2.7: the global form is refused by Debian 12 Caddy', () => {
    const proxies = { ...HOSTS, trustedProxies: ['10.0.0.0/8'] };
    const old = exportTo('caddy', proxies);
    assert.match(
      old.result.files.find((f) => f.path === 'Caddyfile')?.content ?? '',
      /reverse_proxy .* \{\n\t\ttrusted_proxies 10\.0\.0\.0\/8/,
    );
    assert.equal(validate(old.dir).status, 0, validate(old.dir).output);
    const newer = exportTo('caddy', proxies, '2.7.0');
    assert.match(
      newer.result.files.find((f) => f.path === 'Caddyfile')?.content ?? '',
      /trusted_proxies static 10\.0\.0\.0\/8/,
    );
    const refused = validate(newer.dir);
    assert.notEqual(refused.status, 0);
    assert.match(refused.output, /trusted_proxies/);
  });
  void it('braces are escaped for the placeholder replacer; {$ (environment) is refused', () => {
    assert.match(exportTo('caddy', TRICKY).result.snippet, /\\\{"group":/);
    const policy = createPolicy({
      headers: {
        reportTo: '{"group":"{$HOME}","max_age":1,"endpoints":[{"url":"https://r.example/"}]}',
      },
    });
    assert.throws(() => exportPolicy(policy, 'caddy'), {
      code: 'BARBICAN_E_EXPORT_UNSAFE',
      path: 'headers.reportTo',
    });
  });
});

void describe('HAProxy traps', () => {
  void it('headers go in http-after-response (http-response skips HAProxy own redirects and errors)', () => {
    const { result } = exportTo('haproxy', HOSTS);
    assert.match(result.snippet, /^http-after-response set-header X-Frame-Options "DENY"$/m);
    assert.doesNotMatch(result.snippet, /^http-response /m);
  });
  void it('% is doubled and $ escaped inside double quotes', () => {
    const { result } = exportTo('haproxy', TRICKY);
    assert.match(result.snippet, /1%%20\\\$&b=\{c\}/);
    const r = runTool('/usr/sbin/haproxy', [
      '-c',
      '-f',
      join(exportTo('haproxy', TRICKY).dir, 'haproxy.cfg'),
    ]);
    assert.equal(r.status, 0, r.output);
  });
});

void describe('version input', () => {
  void it('a malformed or too old version is an error naming --target-version', () => {
    assert.throws(() => exportPolicy(createPolicy(), 'nginx', { targetVersion: 'latest' }), {
      code: 'BARBICAN_E_EXPORT_TARGET',
      path: '--target-version',
    });
    assert.throws(() => exportPolicy(createPolicy(), 'caddy', { targetVersion: '2.5' }), {
      code: 'BARBICAN_E_EXPORT_TARGET',
    });
  });
  void it('an unknown target suggests the one meant', () => {
    assert.throws(() => exportPolicy(createPolicy(), 'nginxx'), /Did you mean "nginx"/);
  });
});
