import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ScanResult } from '../model.ts';
import {
  jsonReport,
  markdownReport,
  NO_COLORS,
  sarifReport,
  textReport,
  type ReportColors,
} from './index.ts';

const result: ScanResult = {
  url: 'https://app.example/',
  finalUrl: 'https://app.example/home',
  grade: 'B',
  score: 70,
  tests: {
    'content-security-policy': {
      result: 'csp-implemented-with-unsafe-inline',
      scoreModifier: -20,
      pass: false,
    },
    'x-content-type-options': {
      result: 'x-content-type-options-nosniff',
      scoreModifier: 0,
      pass: true,
    },
  },
  findings: [
    {
      code: 'csp.script-src.unsafe-inline',
      severity: 'high',
      header: 'content-security-policy',
      directive: 'script-src',
      value: "'unsafe-inline'",
      message: "'unsafe-inline' allows | any inline script.",
      fix: "script-src 'nonce-{random}' 'strict-dynamic'",
      spec: 'https://www.w3.org/TR/CSP3/#unsafe-inline',
    },
    {
      code: 'fingerprint.server',
      severity: 'low',
      header: 'server',
      value: 'nginx/1.22',
      message: 'The Server header names the software and version.',
      fix: 'Remove the Server header.',
      spec: 'https://owasp.org/www-project-secure-headers/',
    },
  ],
  preload: { eligible: false, errors: ['header.preloadable.preload.missing'], warnings: [] },
  tls: null,
  errors: [],
};

const tag = (name: string) => (t: string) => `<${name}>${t}</${name}>`;
const TAGS: ReportColors = {
  red: tag('red'),
  yellow: tag('yellow'),
  green: tag('green'),
  cyan: tag('cyan'),
  dim: tag('dim'),
  bold: tag('bold'),
};

describe('text reporter', () => {
  it('shows the grade, every test, and each finding grouped by area with its fix', () => {
    const text = textReport([result]);
    assert.match(text, /Grade B {2}score 70/);
    assert.match(text, /✗ content-security-policy: csp-implemented-with-unsafe-inline \(-20\)/);
    assert.match(text, /✓ x-content-type-options: x-content-type-options-nosniff \(0\)/);
    assert.match(text, /not eligible: header\.preloadable\.preload\.missing/);
    assert.match(text, /Findings: 2 \(1 high, 0 medium, 1 low, 0 info\)/);
    const csp = text.indexOf('  content-security-policy\n');
    const server = text.indexOf('  server\n');
    assert.ok(csp > 0 && server > csp, 'areas in order of their worst finding');
    assert.match(text, /fix: script-src 'nonce-\{random\}' 'strict-dynamic'/);
    assert.doesNotMatch(text, /\x1b\[/, 'no escape codes without colours');
  });

  it('colours through the injected functions only', () => {
    const text = textReport([result], TAGS);
    assert.match(text, /<red>high {2}<\/red>/);
    assert.match(text, /<bold><yellow>B<\/yellow><\/bold>/);
    assert.equal(textReport([result], NO_COLORS), textReport([result]));
  });

  it('marks an --insecure result', () => {
    assert.match(textReport([{ ...result, insecure: true }]), /insecure:.*--insecure/);
  });
});

describe('json reporter', () => {
  it('prints one object for one URL and an array for several', () => {
    const one = JSON.parse(jsonReport([result])) as ScanResult;
    assert.equal(one.grade, 'B');
    assert.deepEqual(Object.keys(one), [
      'url',
      'finalUrl',
      'grade',
      'score',
      'tests',
      'findings',
      'preload',
      'tls',
      'errors',
    ]);
    const many = JSON.parse(jsonReport([result, result])) as ScanResult[];
    assert.equal(many.length, 2);
  });
});

describe('sarif reporter', () => {
  it('writes a SARIF 2.1.0 log with one rule per finding code', () => {
    const log = JSON.parse(sarifReport([result, { ...result, url: 'https://b.example/' }])) as {
      version: string;
      $schema: string;
      runs: {
        tool: { driver: { name: string; rules: { id: string; helpUri?: string }[] } };
        results: {
          ruleId: string;
          ruleIndex: number;
          level: string;
          message: { text: string };
          locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
        }[];
      }[];
    };
    assert.equal(log.version, '2.1.0');
    assert.match(log.$schema, /sarif-2\.1\.0/);
    const [run] = log.runs;
    assert.ok(run);
    assert.equal(run.tool.driver.name, 'barbican');
    assert.deepEqual(
      run.tool.driver.rules.map((r) => r.id),
      ['csp.script-src.unsafe-inline', 'fingerprint.server'],
    );
    assert.equal(run.results.length, 4);
    for (const r of run.results) {
      assert.equal(run.tool.driver.rules[r.ruleIndex]?.id, r.ruleId);
      assert.ok(['error', 'warning', 'note'].includes(r.level));
      assert.ok(r.message.text.length > 0);
    }
    assert.equal(run.results[0]?.level, 'error');
    assert.equal(
      run.results[0].locations[0]?.physicalLocation.artifactLocation.uri,
      'https://app.example/home',
    );
  });
});

describe('markdown reporter', () => {
  it('renders a findings table with escaped cells and the tests in a details block', () => {
    const md = markdownReport([result]);
    assert.match(md, /^### Barbican scan: https:\/\/app\.example\/ — grade \*\*B\*\* \(score 70\)/);
    assert.match(md, /\| Severity \| Area \| Finding \| Fix \|/);
    assert.match(
      md,
      /allows \\\| any inline script/,
      'a pipe in a message does not split the cell',
    );
    assert.match(md, /<details><summary>Observatory tests<\/summary>/);
    assert.match(md, /❌ content-security-policy \| `csp-implemented-with-unsafe-inline` \| -20/);
    const rows = md.split('\n').filter((l) => l.startsWith('| 🔴') || l.startsWith('| 🟡'));
    assert.equal(rows.length, 2);
  });
});
