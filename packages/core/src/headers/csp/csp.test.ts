import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { secureFetch } from '../../adapters/fetch.ts';
import { nonceOf, withBarbican } from '../../adapters/node.ts';
import { BarbicanError } from '../../errors.ts';
import { createPolicy, type PolicyOptions } from '../../policy/index.ts';
import type { HeaderEmission } from '../types.ts';
import { csp, cspReportOnly } from './index.ts';

type Warning = [code: string, path: string, message: string];

/** Runs one module the way createPolicy does (schema, then compile), without any preset. */
function compile(
  options: unknown,
  key: 'csp' | 'cspReportOnly' = 'csp',
): { emissions: HeaderEmission[]; warnings: Warning[] } {
  const module = key === 'csp' ? csp : cspReportOnly;
  const path = `headers.${key}`;
  const warnings: Warning[] = [];
  const ctx = { warn: (c: string, p: string, m: string) => void warnings.push([c, p, m]) };
  const emissions =
    typeof options === 'string'
      ? module.compileRaw(options, ctx, path)
      : module.compile(module.schema.parse(options, path), ctx, path);
  return { emissions, warnings };
}

/** The value sent over HTTPS. */
const valueOf = (options: unknown): string | undefined =>
  compile(options).emissions.find((e) => e.when !== 'http')?.value;

const codes = (options: unknown, key: 'csp' | 'cspReportOnly' = 'csp'): string[] =>
  compile(options, key).warnings.map(([c]) => c);

function throwsCode(fn: () => unknown, code: string, extra: Partial<BarbicanError> = {}): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof BarbicanError, String(e));
    assert.equal(e.code, code, e.message);
    for (const [k, v] of Object.entries(extra))
      assert.deepEqual((e as unknown as Record<string, unknown>)[k], v, k);
    return true;
  });
}

const dir = (directives: Record<string, unknown>, extra: object = {}) => ({
  directives,
  ...extra,
});

describe('Content-Security-Policy builder: names', () => {
  it('serialises directives in the order given, joined with "; "', () => {
    assert.equal(
      valueOf(dir({ 'default-src': ["'self'"], 'img-src': ["'self'", 'data:'], sandbox: true })),
      "default-src 'self'; img-src 'self' data:; sandbox",
    );
  });

  it('accepts camelCase aliases and writes kebab-case', () => {
    assert.equal(
      valueOf(
        dir({ defaultSrc: ["'self'"], scriptSrcElem: ["'self'"], upgradeInsecureRequests: true }),
      ),
      "default-src 'self'; script-src-elem 'self'; upgrade-insecure-requests",
    );
  });

  it('refuses both spellings of one directive', () => {
    throwsCode(
      () => compile(dir({ 'default-src': ["'self'"], defaultSrc: ["'none'"] })),
      'BARBICAN_E_CONFLICT',
      { path: 'headers.csp.directives.defaultSrc' },
    );
  });

  it('refuses an unknown directive and suggests the right one', () => {
    throwsCode(() => compile(dir({ scirptSrc: ["'self'"] })), 'BARBICAN_E_CSP_DIRECTIVE', {
      path: 'headers.csp.directives.scirptSrc',
      hint: 'Did you mean "script-src"?',
    });
  });

  for (const name of [
    '',
    ' default-src',
    'default_src',
    'DefaultSrc',
    'Default-Src',
    'default-src;',
    '__proto__',
    'constructor',
    'default-src!',
    'dëfault-src',
  ]) {
    it(`refuses the directive name ${JSON.stringify(name)}`, () => {
      const directives = JSON.parse(`{${JSON.stringify(name)}: ["'self'"]}`) as object;
      throwsCode(() => compile({ directives }), 'BARBICAN_E_CSP_DIRECTIVE');
    });
  }

  it('accepts the CSP3 element/attribute directives and the newer ones', () => {
    const p = compile(
      dir({
        'script-src-elem': ["'self'"],
        'script-src-attr': ["'none'"],
        'style-src-elem': ["'self'"],
        'style-src-attr': ["'unsafe-inline'"],
        'worker-src': ["'self'"],
        'manifest-src': ["'self'"],
        'frame-src': ['https://youtube.com'],
        'child-src': ["'self'"],
        'connect-src': ['wss://live.example'],
        'media-src': ['blob:'],
        'font-src': ['https://fonts.gstatic.com'],
        'object-src': ["'none'"],
        'base-uri': ["'none'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'self'"],
        sandbox: ['allow-scripts'],
        'report-uri': ['/csp-reports'],
        'report-to': ['csp'],
        'trusted-types': ['default', "'allow-duplicates'"],
        'require-trusted-types-for': ["'script'"],
        'upgrade-insecure-requests': true,
        'fenced-frame-src': ['https:'],
        webrtc: ["'block'"],
        'default-src': ["'self'"],
      }),
    );
    assert.equal(p.emissions.length, 2);
  });

  it('accepts deprecated directives with a warning that says what to use instead', () => {
    const w = compile(
      dir({
        'default-src': ["'self'"],
        'block-all-mixed-content': true,
        'plugin-types': ['application/pdf'],
        'prefetch-src': ["'self'"],
        referrer: ['no-referrer'],
        'reflected-xss': ['block'],
      }),
    ).warnings;
    assert.deepEqual(
      w.map(([c, p]) => [c, p]),
      [
        ['BARBICAN_W_CSP_DEPRECATED_DIRECTIVE', 'headers.csp.directives.block-all-mixed-content'],
        ['BARBICAN_W_CSP_DEPRECATED_DIRECTIVE', 'headers.csp.directives.plugin-types'],
        ['BARBICAN_W_CSP_DEPRECATED_DIRECTIVE', 'headers.csp.directives.prefetch-src'],
        ['BARBICAN_W_CSP_DEPRECATED_DIRECTIVE', 'headers.csp.directives.referrer'],
        ['BARBICAN_W_CSP_DEPRECATED_DIRECTIVE', 'headers.csp.directives.reflected-xss'],
      ],
    );
    assert.match(w[3]?.[2] ?? '', /Referrer-Policy/);
  });

  it('refuses a policy whose directives were all removed', () => {
    throwsCode(() => compile(dir({ 'default-src': false })), 'BARBICAN_E_CSP_DIRECTIVE', {
      path: 'headers.csp.directives',
    });
    throwsCode(() => compile({}), 'BARBICAN_E_CSP_DIRECTIVE');
  });

  it('refuses unknown options beside directives and nonce', () => {
    throwsCode(() => compile({ directive: {} }), 'BARBICAN_E_UNKNOWN_OPTION', {
      hint: 'Did you mean "directives"?',
    });
  });
});

describe('Content-Security-Policy builder: values (CSP3 source grammar)', () => {
  const valid = [
    "'self'",
    "'SELF'",
    "'none'",
    "'unsafe-inline'",
    "'unsafe-eval'",
    "'wasm-unsafe-eval'",
    "'unsafe-hashes'",
    "'strict-dynamic'",
    "'report-sample'",
    "'nonce-2726c7f26c'",
    "'NONCE-abc+/_-=='",
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU'",
    "'sha384-OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb'",
    "'sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=='",
    '*',
    'https:',
    'data:',
    'blob:',
    'web+app:',
    'example.com',
    'example.com.',
    '*.example.com',
    'https://*.example.com',
    'https://example.com:443',
    'https://example.com:*',
    'http://localhost:8080',
    '*:8080',
    'https://cdn.example.com/js/',
    'https://cdn.example.com/js/app.js',
    'https://example.com/a%20b/~x',
    'wss://live.example.com',
    '127.0.0.1:3000',
  ];
  for (const s of valid) {
    it(`accepts ${s}`, () => {
      assert.equal(valueOf(dir({ 'img-src': [s] })), `img-src ${s}`);
    });
  }

  const unquoted = [
    'self',
    'none',
    'unsafe-inline',
    'unsafe-eval',
    'strict-dynamic',
    'NONE',
    'nonce-abc',
    'sha256-abc',
    'report-sample',
  ];
  for (const s of unquoted) {
    it(`refuses the bare keyword ${s} and shows the quoted spelling`, () => {
      throwsCode(
        () => compile(dir({ 'script-src': ["'self'", s] })),
        'BARBICAN_E_CSP_UNQUOTED_KEYWORD',
        {
          path: 'headers.csp.directives.script-src[1]',
          value: s,
        },
      );
      assert.throws(() => compile(dir({ 'script-src': [s] })), { hint: new RegExp(`"'${s}'"`) });
    });
  }

  it('refuses double-quoted keywords and shows single quotes', () => {
    throwsCode(
      () => compile(dir({ 'script-src': ['"self"'] })),
      'BARBICAN_E_CSP_UNQUOTED_KEYWORD',
      {
        hint: `CSP keywords use single quotes: write "'self'"`,
      },
    );
  });

  const invalid: [string, RegExp?][] = [
    ['https://'],
    ['https://exa mple.com'.replace(' ', '_')],
    ['ex*ample.com'],
    ['*.*.example.com'],
    ['example.*'],
    ['https://example.com:99999', /65535/],
    ['https://example.com:80a'],
    ['http://[::1]:8080', /IP-literal/],
    ['https://example.com/?q=1', /query/],
    ['https://example.com/#top', /fragment/],
    ["'selfie'", /Did you mean "'self'"/],
    ["'*'", /without quotes/],
    ["'self", /not closed/],
    ["'nonce-'"],
    ["'nonce-a!b'"],
    ["'sha256-abc'", /32 bytes/],
    ["'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=x'"],
    ["'sha1-abc'"],
    ['://example.com'],
    ['http:/example.com'],
    ['\\x'],
    ['<script>'],
  ];
  for (const [s, hint] of invalid) {
    it(`refuses the source ${s}`, () => {
      assert.throws(
        () => compile(dir({ 'img-src': ['https:', s] })),
        (e: unknown) =>
          e instanceof BarbicanError &&
          e.code === 'BARBICAN_E_CSP_SOURCE' &&
          e.path === 'headers.csp.directives.img-src[1]' &&
          (hint === undefined || hint.test(e.message)),
      );
    });
  }

  for (const [ch, name] of [
    [';', 'ends a directive'],
    [',', 'starts a new policy'],
  ] as const) {
    it(`refuses "${ch}" inside a value, with its byte offset`, () => {
      throwsCode(
        () => compile(dir({ 'script-src': [`'self'${ch} img-src *`] })),
        'BARBICAN_E_CSP_SOURCE',
        { path: 'headers.csp.directives.script-src[0]', offset: 6 },
      );
      assert.throws(() => compile(dir({ 'script-src': [`'self'${ch}`] })), {
        message: new RegExp(name),
      });
    });
  }

  for (const ch of ['\r', '\n', '\0', '\u00e9', '\u2028', '\x7f']) {
    it(`refuses ${JSON.stringify(ch)} in a value (header injection), with its byte offset`, () => {
      throwsCode(
        () => compile(dir({ 'img-src': ["'self'", `https://a.example${ch}Set-Cookie: x=1`] })),
        'BARBICAN_E_UNSAFE_VALUE',
        { path: 'headers.csp.directives.img-src[1]', offset: 17 },
      );
    });
  }

  it("refuses 'none' mixed with other sources", () => {
    throwsCode(
      () => compile(dir({ 'object-src': ["'none'", "'self'"] })),
      'BARBICAN_E_CSP_SOURCE',
      {
        path: 'headers.csp.directives.object-src[0]',
      },
    );
  });

  it('splits one item holding several sources', () => {
    assert.equal(
      valueOf(dir({ 'img-src': ["'self'  https://a.example"] })),
      "img-src 'self' https://a.example",
    );
  });

  for (const bad of [true, 'self', 1, null, {}, [1], [null], [''], ['  '], []]) {
    it(`refuses ${JSON.stringify(bad)} as a source list`, () => {
      assert.throws(
        () => compile(dir({ 'script-src': bad })),
        (e: unknown) =>
          e instanceof BarbicanError &&
          /TYPE|CSP_SOURCE/.test(e.code) &&
          (e.path ?? '').startsWith('headers.csp.directives.script-src'),
      );
    });
  }

  it('limits frame-ancestors to scheme, host, self and none', () => {
    assert.equal(
      valueOf(dir({ 'frame-ancestors': ["'self'", 'https://partner.example'] })),
      "frame-ancestors 'self' https://partner.example",
    );
    for (const s of ["'unsafe-inline'", "'nonce-abc'", "'strict-dynamic'"]) {
      throwsCode(() => compile(dir({ 'frame-ancestors': [s] })), 'BARBICAN_E_CSP_SOURCE');
    }
  });

  it('checks sandbox flags, with did-you-mean', () => {
    assert.equal(
      valueOf(dir({ sandbox: ['allow-forms', 'allow-popups'] })),
      'sandbox allow-forms allow-popups',
    );
    assert.equal(valueOf(dir({ sandbox: [] })), 'sandbox');
    throwsCode(() => compile(dir({ sandbox: ['allow-form'] })), 'BARBICAN_E_CSP_SOURCE', {
      hint: 'Did you mean "allow-forms"?',
    });
  });

  it('takes exactly one report-to endpoint name', () => {
    assert.equal(
      valueOf(dir({ 'default-src': ["'self'"], 'report-to': ['csp-endpoint'] })),
      "default-src 'self'; report-to csp-endpoint",
    );
    throwsCode(() => compile(dir({ 'report-to': ['a', 'b'] })), 'BARBICAN_E_CSP_SOURCE');
    throwsCode(() => compile(dir({ 'report-to': ['a/b'] })), 'BARBICAN_E_CSP_SOURCE');
  });

  it('takes URIs in report-uri', () => {
    assert.equal(
      valueOf(dir({ 'report-uri': ['/csp', 'https://r.example/report'] })),
      'report-uri /csp https://r.example/report',
    );
    throwsCode(
      () => compile(dir({ 'report-uri': ['http://exa mple'.replace(' ', '%zz')] })),
      'BARBICAN_E_CSP_SOURCE',
    );
    throwsCode(() => compile(dir({ 'report-uri': ['https://[x'] })), 'BARBICAN_E_CSP_SOURCE');
  });

  it('checks trusted-types policy names and keywords', () => {
    assert.equal(
      valueOf(dir({ 'trusted-types': ['my-policy', 'dompurify', "'allow-duplicates'"] })),
      "trusted-types my-policy dompurify 'allow-duplicates'",
    );
    assert.equal(valueOf(dir({ 'trusted-types': true })), 'trusted-types');
    assert.equal(valueOf(dir({ 'trusted-types': ["'none'"] })), "trusted-types 'none'");
    throwsCode(
      () => compile(dir({ 'trusted-types': ['allow-duplicates'] })),
      'BARBICAN_E_CSP_UNQUOTED_KEYWORD',
    );
    throwsCode(() => compile(dir({ 'trusted-types': ["'none'", 'a'] })), 'BARBICAN_E_CSP_SOURCE');
    throwsCode(() => compile(dir({ 'trusted-types': ['a!b'] })), 'BARBICAN_E_CSP_SOURCE');
  });

  it("takes only 'script' in require-trusted-types-for", () => {
    assert.equal(
      valueOf(dir({ requireTrustedTypesFor: ["'script'"] })),
      "require-trusted-types-for 'script'",
    );
    throwsCode(
      () => compile(dir({ requireTrustedTypesFor: ['script'] })),
      'BARBICAN_E_CSP_UNQUOTED_KEYWORD',
      { hint: `Write "'script'"` },
    );
    throwsCode(
      () => compile(dir({ requireTrustedTypesFor: ["'style'"] })),
      'BARBICAN_E_CSP_SOURCE',
    );
    throwsCode(() => compile(dir({ requireTrustedTypesFor: true })), 'BARBICAN_E_TYPE');
  });

  it("takes 'allow' or 'block' in webrtc", () => {
    assert.equal(valueOf(dir({ webrtc: ["'allow'"] })), "webrtc 'allow'");
    throwsCode(() => compile(dir({ webrtc: ['block'] })), 'BARBICAN_E_CSP_UNQUOTED_KEYWORD');
    throwsCode(() => compile(dir({ webrtc: ["'allow'", "'block'"] })), 'BARBICAN_E_CSP_SOURCE');
    throwsCode(() => compile(dir({ webrtc: ["'maybe'"] })), 'BARBICAN_E_CSP_SOURCE');
  });

  it('takes no value in upgrade-insecure-requests', () => {
    throwsCode(() => compile(dir({ upgradeInsecureRequests: ['yes'] })), 'BARBICAN_E_CSP_SOURCE');
  });
});

describe('Content-Security-Policy builder: warnings', () => {
  it("warns about 'unsafe-inline', 'unsafe-eval' and broad sources in script contexts", () => {
    const w = compile(
      dir({
        'default-src': ["'self'"],
        'script-src': ["'self'", "'unsafe-inline'", "'unsafe-eval'", 'https:', 'data:', '*'],
      }),
    ).warnings;
    assert.equal(w.length, 1);
    assert.deepEqual(w[0]?.slice(0, 2), [
      'BARBICAN_W_CSP_UNSAFE',
      'headers.csp.directives.script-src',
    ]);
    assert.match(w.at(0)?.[2] ?? '', /'unsafe-inline', 'unsafe-eval', \*, https:, data:/);
  });

  it('warns about default-src when it is what scripts fall back to', () => {
    assert.deepEqual(codes(dir({ 'default-src': ['*'] })), ['BARBICAN_W_CSP_UNSAFE']);
    assert.deepEqual(codes(dir({ 'default-src': ['*'], 'script-src': ["'self'"] })), []);
  });

  it("does not warn about 'unsafe-inline' beside a nonce or hash, nor broad sources beside 'strict-dynamic' (both ignored by CSP2+ browsers)", () => {
    assert.deepEqual(
      codes(
        dir(
          {
            'default-src': ["'self'"],
            'script-src': ["'unsafe-inline'", "'strict-dynamic'", 'https:', 'http:'],
          },
          { nonce: true },
        ),
      ),
      [],
    );
    assert.deepEqual(
      codes(
        dir({
          'default-src': ["'self'"],
          'script-src': [
            "'unsafe-inline'",
            "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
          ],
        }),
      ),
      [],
    );
  });

  it('warns when neither default-src nor script-src/object-src restrict anything', () => {
    const w = compile(dir({ 'frame-ancestors': ["'none'"] })).warnings;
    assert.deepEqual(
      w.map(([c, p]) => [c, p]),
      [['BARBICAN_W_CSP_UNSAFE', 'headers.csp']],
    );
    assert.match(w[0]?.[2] ?? '', /script-src or object-src/);
    assert.deepEqual(codes(dir({ 'script-src': ["'self'"], 'object-src': ["'none'"] })), []);
  });

  it('warns about a fixed nonce in configuration', () => {
    assert.deepEqual(
      codes(dir({ 'default-src': ["'self'"], 'script-src': ["'nonce-abcdefgh'"] })),
      ['BARBICAN_W_CSP_UNSAFE'],
    );
  });

  it('warns about sandbox allow-scripts with allow-same-origin', () => {
    assert.deepEqual(
      codes(dir({ 'default-src': ["'self'"], sandbox: ['allow-scripts', 'allow-same-origin'] })),
      ['BARBICAN_W_CSP_UNSAFE'],
    );
  });

  it('warns that sandbox and upgrade-insecure-requests do nothing in Report-Only', () => {
    assert.deepEqual(
      codes(
        dir({ 'default-src': ["'self'"], sandbox: true, 'upgrade-insecure-requests': true }),
        'cspReportOnly',
      ),
      ['BARBICAN_W_CSP_IGNORED', 'BARBICAN_W_CSP_IGNORED'],
    );
  });

  it('lets the user silence CSP warnings by code', () => {
    const p = createPolicy({
      headers: { csp: "default-src *; script-src 'unsafe-inline'" },
      ignoreWarnings: ['BARBICAN_W_CSP_UNSAFE'],
    });
    assert.ok(!p.warnings.some((w) => w.code === 'BARBICAN_W_CSP_UNSAFE'));
  });
});

describe('Content-Security-Policy builder: nonces', () => {
  const nonced = (options: unknown) => {
    const [e] = compile(options).emissions;
    return { value: e?.value, withNonce: e?.nonceParts?.join('ABC') };
  };

  it("splices one nonce into script-src and style-src, before 'strict-dynamic'", () => {
    assert.deepEqual(
      nonced(
        dir(
          {
            'script-src': ["'self'", "'strict-dynamic'"],
            'style-src': ["'self'"],
            'object-src': ["'none'"],
          },
          { nonce: true },
        ),
      ),
      {
        value: "script-src 'self' 'strict-dynamic'; style-src 'self'; object-src 'none'",
        withNonce:
          "script-src 'self' 'nonce-ABC' 'strict-dynamic'; style-src 'self' 'nonce-ABC'; object-src 'none'",
      },
    );
  });

  it('creates a missing target from default-src, so nothing default-src allowed is lost', () => {
    assert.deepEqual(
      nonced(dir({ 'default-src': ["'self'", 'https://cdn.example'] }, { nonce: ['scriptSrc'] })),
      {
        value: "default-src 'self' https://cdn.example; script-src 'self' https://cdn.example",
        withNonce:
          "default-src 'self' https://cdn.example; script-src 'self' https://cdn.example 'nonce-ABC'",
      },
    );
  });

  it("refuses a nonce for a directive that is 'none'", () => {
    throwsCode(
      () => compile(dir({ 'script-src': ["'none'"] }, { nonce: true })),
      'BARBICAN_E_CONFLICT',
      {
        path: 'headers.csp.nonce',
      },
    );
  });

  it('refuses nonce targets that cannot carry a nonce, with did-you-mean', () => {
    throwsCode(
      () => compile(dir({ 'default-src': ["'self'"] }, { nonce: ['img-src'] })),
      'BARBICAN_E_CSP_DIRECTIVE',
      {
        path: 'headers.csp.nonce[0]',
      },
    );
    throwsCode(
      () => compile(dir({ 'default-src': ["'self'"] }, { nonce: ['script-sr'] })),
      'BARBICAN_E_CSP_DIRECTIVE',
      {
        hint: 'Did you mean "script-src"?',
      },
    );
    throwsCode(
      () => compile(dir({ 'default-src': ["'self'"] }, { nonce: 'yes' })),
      'BARBICAN_E_TYPE',
    );
  });

  it('sends no nonce parts without nonce', () => {
    assert.equal(
      compile(dir({ 'default-src': ["'self'"] }, { nonce: false })).emissions[0]?.nonceParts,
      undefined,
    );
  });
});

describe('Content-Security-Policy builder: upgrade-insecure-requests only over HTTPS', () => {
  it('emits the directive for HTTPS and leaves it out for HTTP (helmet #480)', () => {
    assert.deepEqual(
      compile(dir({ 'default-src': ["'self'"], 'upgrade-insecure-requests': true })).emissions.map(
        (e) => [e.when, e.value],
      ),
      [
        ['https', "default-src 'self'; upgrade-insecure-requests"],
        ['http', "default-src 'self'"],
      ],
    );
  });

  it('keeps the nonce in both variants', () => {
    const e = compile(
      dir(
        { 'script-src': ["'self'"], 'upgrade-insecure-requests': true },
        { nonce: ['script-src'] },
      ),
    ).emissions;
    assert.deepEqual(
      e.map((x) => x.nonceParts?.join('N')),
      ["script-src 'self' 'nonce-N'; upgrade-insecure-requests", "script-src 'self' 'nonce-N'"],
    );
  });

  it('through a built policy: HTTPS gets it, HTTP does not', () => {
    const p = createPolicy({ headers: { csp: "default-src 'self'; upgrade-insecure-requests" } });
    const get = (https: boolean) =>
      p.headersFor({ https }).find(([n]) => n === 'Content-Security-Policy')?.[1];
    assert.equal(get(true), "default-src 'self'; upgrade-insecure-requests");
    assert.equal(get(false), "default-src 'self'");
  });
});

describe('Content-Security-Policy builder: merging', () => {
  it('replaces directives one by one, and false removes one', () => {
    const merged = csp.merge?.(
      {
        directives: { defaultSrc: ["'self'"], 'img-src': ["'self'"], 'object-src': ["'none'"] },
        nonce: true,
      },
      { directives: { imgSrc: ['https:'], 'object-src': false } },
    );
    assert.deepEqual(merged, {
      directives: { 'default-src': ["'self'"], 'img-src': ['https:'], 'object-src': false },
      nonce: true,
    });
    // nonce: true creates script-src and style-src from default-src.
    assert.equal(
      valueOf(merged),
      "default-src 'self'; img-src https:; script-src 'self'; style-src 'self'",
    );
  });

  it('lets the override turn the nonce off', () => {
    assert.deepEqual(csp.merge?.({ nonce: true }, { nonce: false }), {
      directives: {},
      nonce: false,
    });
  });

  it("drops an inherited nonce where the override writes 'none' or 'unsafe-inline', and nowhere else", () => {
    const cspOf = (options: object): string =>
      createPolicy(options)
        .headersFor({ https: false, nonce: 'N' })
        .find(([n]) => n === 'Content-Security-Policy')?.[1] ?? '';
    // The barbican preset's nonce: true, under the user's directives.
    const styles = cspOf({
      headers: { csp: { directives: { 'style-src': ["'self'", "'unsafe-inline'"] } } },
    });
    assert.match(styles, /script-src 'self' 'nonce-N';/);
    assert.match(styles, /style-src 'self' 'unsafe-inline'$/);
    const noScripts = cspOf({ headers: { csp: { directives: { 'script-src': ["'none'"] } } } });
    assert.match(noScripts, /script-src 'none';/);
    assert.match(noScripts, /style-src 'self' 'nonce-N'$/);
    const neither = createPolicy({
      headers: {
        csp: { directives: { 'script-src': ["'none'"], 'style-src': ["'UNSAFE-INLINE'"] } },
      },
    });
    assert.equal(neither.usesNonce, false);
    // Same through a route override of a user policy that inherits the preset's nonce.
    const route = createPolicy({}).extend({
      headers: { csp: { directives: { 'script-src': ["'self'", "'unsafe-inline'"] } } },
    });
    assert.deepEqual(
      route.https.nonced.map((h) => h.parts.join('N').match(/(?:script|style)-src[^;]*/g)),
      [
        [
          "script-src 'self' 'unsafe-inline'",
          "script-src-attr 'none'",
          "style-src 'self' 'nonce-N'",
        ],
      ],
    );
    // An explicit nonce is taken as written: 'unsafe-inline' as the CSP1 fallback.
    assert.match(
      cspOf({
        headers: {
          csp: {
            directives: { 'script-src': ["'strict-dynamic'", "'unsafe-inline'"] },
            nonce: ['script-src'],
          },
        },
      }),
      /script-src 'nonce-N' 'strict-dynamic' 'unsafe-inline';/,
    );
    assert.throws(
      () => cspOf({ headers: { csp: { directives: { 'script-src': ["'none'"] }, nonce: true } } }),
      { code: 'BARBICAN_E_CONFLICT' },
    );
  });

  it('keeps a removal through a route override (global < route)', () => {
    const base = createPolicy({
      headers: { csp: { directives: { 'default-src': ["'self'"], 'img-src': ['*'] } } },
    });
    const route = base.extend({
      headers: { csp: { directives: { 'img-src': false, 'script-src': ["'self'"] } } },
    });
    const v =
      route.headersFor({ https: true }).find(([n]) => n === 'Content-Security-Policy')?.[1] ?? '';
    assert.ok(!v.includes('img-src'), v);
    assert.ok(v.includes("script-src 'self'"), v);
    assert.ok(v.includes("default-src 'self'"), v);
  });

  it('refuses two spellings of one directive inside one object being merged', () => {
    throwsCode(
      () => csp.merge?.({ directives: { imgSrc: ['*'], 'img-src': ['*'] } }, {}),
      'BARBICAN_E_CONFLICT',
    );
  });
});

describe('Content-Security-Policy: raw strings', () => {
  it('sends a valid raw policy exactly as given', () => {
    const raw = "default-src 'self';script-src 'self' https://cdn.example ; object-src 'none'";
    assert.deepEqual(compile(raw).emissions, [{ name: 'Content-Security-Policy', value: raw }]);
  });

  it('accepts several comma-separated policies', () => {
    assert.equal(compile("default-src 'self', script-src 'self'").emissions.length, 1);
  });

  it('refuses a broken raw policy with the code and the byte offset', () => {
    throwsCode(
      () => compile("default-src 'self'; script-src self"),
      'BARBICAN_E_CSP_UNQUOTED_KEYWORD',
      { offset: 31, path: 'headers.csp' },
    );
    throwsCode(() => compile("default-src 'self'; scirpt-src 'self'"), 'BARBICAN_E_CSP_DIRECTIVE', {
      offset: 20,
      hint: 'Did you mean "script-src"?',
    });
    throwsCode(() => compile('img-src https://a.example:70000'), 'BARBICAN_E_CSP_SOURCE', {
      offset: 8,
    });
    throwsCode(() => compile(' ; ;'), 'BARBICAN_E_HEADER_SYNTAX');
  });

  for (const ch of ['\r\n', '\n', '\0', '\u00e9']) {
    it(`refuses ${JSON.stringify(ch)} in a raw policy with its byte offset`, () => {
      throwsCode(() => compile(`default-src 'self'${ch}X: y`), 'BARBICAN_E_UNSAFE_VALUE', {
        offset: 18,
      });
      throwsCode(
        () => createPolicy({ headers: { csp: `default-src 'self'${ch}X: y` } }),
        'BARBICAN_E_UNSAFE_VALUE',
        {
          offset: 18,
          path: 'headers.csp',
        },
      );
    });
  }

  it('warns about a repeated directive and still sends the value as given', () => {
    const r = compile("default-src 'self'; default-src *");
    assert.deepEqual(
      r.warnings.map(([c]) => c),
      ['BARBICAN_W_CSP_DUPLICATE_DIRECTIVE'],
    );
    assert.equal(r.emissions[0]?.value, "default-src 'self'; default-src *");
  });

  it('cuts upgrade-insecure-requests out of the HTTP variant wherever it sits', () => {
    const http = (raw: string) => compile(raw).emissions.find((e) => e.when === 'http')?.value;
    assert.equal(http("upgrade-insecure-requests; default-src 'self'"), "default-src 'self'");
    assert.equal(
      http("default-src 'self' ;  upgrade-insecure-requests ; img-src *"),
      "default-src 'self' ;  img-src *",
    );
    assert.equal(http("default-src 'self'; upgrade-insecure-requests;"), "default-src 'self';");
    assert.equal(http("default-src 'self'; upgrade-insecure-requests"), "default-src 'self'");
    assert.deepEqual(
      compile('upgrade-insecure-requests').emissions.map((e) => e.when),
      ['https'],
    );
  });

  it('warns about unsafe sources in raw policies too', () => {
    assert.deepEqual(
      compile("default-src 'self'; script-src 'self' 'unsafe-eval'").warnings.map(([c]) => c),
      ['BARBICAN_W_CSP_UNSAFE'],
    );
  });
});

describe('Content-Security-Policy and Report-Only share one nonce per request', () => {
  const closers: (() => void)[] = [];
  after(() => closers.forEach((c) => c()));

  const options: PolicyOptions = {
    headers: {
      csp: {
        directives: { 'default-src': ["'self'"], 'script-src': ["'self'"] },
        nonce: ['script-src'],
      },
      cspReportOnly: {
        directives: { 'script-src': ["'strict-dynamic'"], 'object-src': ["'none'"] },
        nonce: true,
      },
    },
  };

  const nonceIn = (header: string | null): string[] =>
    [...(header ?? '').matchAll(/'nonce-([^']+)'/g)].map((m) => m[1] ?? '');

  it('through the node:http adapter on a loopback server', async () => {
    const server = createServer(
      withBarbican((req, res) => {
        if (req.url === '/no-nonce') {
          res.end('plain');
          return;
        }
        res.setHeader('Content-Type', 'text/html');
        res.end(`<script nonce="${nonceOf(res)}">1</script>`);
      }, options),
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    closers.push(() => server.close());
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const seen = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const r = await fetch(`${url}/`);
      const body = await r.text();
      const nonce = /nonce="([^"]+)"/.exec(body)?.[1] ?? '';
      assert.match(nonce, /^[A-Z0-9+/]{22}==$/i);
      const enforced = nonceIn(r.headers.get('content-security-policy'));
      const reported = nonceIn(r.headers.get('content-security-policy-report-only'));
      // Report-only has nonce: true → script-src and a style-src created beside it.
      assert.deepEqual(enforced, [nonce]);
      assert.deepEqual(reported, [nonce, nonce]);
      seen.add(nonce);
    }
    assert.equal(seen.size, 2, 'a fresh nonce per request');

    const r = await fetch(`${url}/no-nonce`);
    await r.text();
    assert.equal(r.headers.get('content-security-policy')?.includes("'nonce-"), false);
    assert.match(r.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  });

  it('through secureFetch (ctx.nonce())', async () => {
    const handler = secureFetch(
      (_req, ctx) =>
        new Response(`<script nonce="${ctx.nonce()}">1</script>`, {
          headers: { 'Content-Type': 'text/html' },
        }),
      options,
    );
    const r = await handler(new Request('https://app.example/'));
    const nonce = /nonce="([^"]+)"/.exec(await r.text())?.[1] ?? '';
    assert.ok(nonce.length >= 22);
    assert.deepEqual(nonceIn(r.headers.get('content-security-policy')), [nonce]);
    assert.deepEqual(nonceIn(r.headers.get('content-security-policy-report-only')), [nonce, nonce]);
  });
});

describe('CSP JSON Schema', () => {
  it('lists every directive in both spellings for editor completion', () => {
    const s = csp.schema.toJsonSchema() as { properties: { directives: { properties: object } } };
    const names = Object.keys(s.properties.directives.properties);
    for (const n of [
      'default-src',
      'defaultSrc',
      'require-trusted-types-for',
      'webrtc',
      'block-all-mixed-content',
    ]) {
      assert.ok(names.includes(n), n);
    }
  });
});
