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
import { freePorts, runTool, startServer } from './harness/process.ts';
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

function exportTo(target: string, options: PolicyOptions, version?: string, openssl?: string) {
  const dir = mkdtempSync(join(pki.dir, `${target}-`));
  const result = exportPolicy(createPolicy(options), target, {
    deploy: deploy(dir, target),
    ...(version === undefined ? {} : { targetVersion: version }),
    ...(openssl === undefined ? {} : { opensslVersion: openssl }),
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
    assert.doesNotMatch(result.snippet, /^http-response (set|del)-header/m);
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

void describe('TLS groups are gated on the OpenSSL (or Caddy) version, as the Debian 12 servers require', () => {
  const MLKEM = /X25519MLKEM768/;
  void it('nginx: left out for OpenSSL 3.0 with a warning; written for 3.5, which nginx on 3.0 refuses', () => {
    const old = exportTo('nginx', HOSTS);
    const tlsConf = (r: typeof old) =>
      r.result.files.find((f) => f.path === 'barbican-tls.conf')?.content ?? '';
    assert.doesNotMatch(tlsConf(old), MLKEM);
    assert.ok(old.result.warnings.some((w) => w.path === 'tls.curves' && MLKEM.test(w.message)));
    const newer = exportTo('nginx', HOSTS, undefined, '3.5');
    assert.match(tlsConf(newer), /ssl_ecdh_curve "X25519MLKEM768:X25519:prime256v1:secp384r1";/);
    const refused = nginxTest(newer.dir);
    assert.notEqual(refused.status, 0);
    assert.match(refused.output, /curves/i);
  });
  void it('Apache: apache2 -t says Syntax OK for the 3.5 output, but httpd refuses to start', async () => {
    const [http = 0, https = 0] = await freePorts(2);
    const dir = mkdtempSync(join(pki.dir, 'apache-'));
    const result = exportPolicy(createPolicy(HOSTS), 'apache', {
      opensslVersion: '3.5',
      deploy: { ...deploy(dir, 'apache'), listen: { address: '127.0.0.1', http, https } },
    });
    writeFiles(dir, result.files);
    const conf = join(dir, 'apache2.conf');
    assert.equal(runTool('/usr/sbin/apache2', ['-t', '-f', conf]).status, 0);
    const server = startServer('/usr/sbin/apache2', ['-X', '-f', conf]);
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => resolve(-1), 15_000);
      server.child.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    await server.stop();
    assert.ok(code !== null && code > 0, `httpd should refuse to start (exit ${String(code)})`);
  });
  void it('HAProxy: haproxy -c refuses the 3.5 output on OpenSSL 3.0', () => {
    const newer = exportTo('haproxy', HOSTS, undefined, '3.5');
    const r = runTool('/usr/sbin/haproxy', ['-c', '-f', join(newer.dir, 'haproxy.cfg')]);
    assert.notEqual(r.status, 0);
    assert.match(r.output, /curves/i);
  });
  void it('Caddy: x25519mlkem768 only from 2.10, which caddy 2.6 refuses', () => {
    const old = exportTo('caddy', HOSTS);
    assert.doesNotMatch(
      old.result.files.find((f) => f.path === 'Caddyfile')?.content ?? '',
      /mlkem/,
    );
    const newer = exportTo('caddy', HOSTS, '2.10.0');
    assert.match(
      newer.result.files.find((f) => f.path === 'Caddyfile')?.content ?? '',
      /curves x25519mlkem768 x25519/,
    );
    const r = runTool(
      '/usr/bin/caddy',
      ['validate', '--config', join(newer.dir, 'Caddyfile'), '--adapter', 'caddyfile'],
      {
        HOME: newer.dir,
        XDG_DATA_HOME: newer.dir,
        XDG_CONFIG_HOME: newer.dir,
      },
    );
    assert.notEqual(r.status, 0);
  });
  void it('a policy whose only group the target cannot use is an error naming tls.curves and the target', () => {
    const policy = createPolicy({ tls: { protocols: ['TLSv1.3'], curves: ['X25519MLKEM768'] } });
    assert.throws(
      () => exportPolicy(policy, 'nginx'),
      (e: Error & { code?: string; path?: string }) => {
        assert.equal(e.code, 'BARBICAN_E_EXPORT_UNSAFE');
        assert.equal(e.path, 'tls.curves');
        assert.match(e.message, /nginx/);
        return true;
      },
    );
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
