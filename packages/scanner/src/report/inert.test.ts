/**
 * Every reporter gets strings from the scanned server: a cookie name with a
 * C1 byte, a <meta> CSP with a newline and an ESC. None may reach the
 * terminal raw, and none may forge a line of Barbican's own.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assemble } from '../scan.ts';
import type { Retrieval } from '../model.ts';
import { jsonReport, markdownReport, sarifReport, textReport } from './index.ts';

const ACTIVE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const page =
  '<!doctype html><html><head><meta http-equiv="Content-Security-Policy" ' +
  'content="script-src \u001b[31mevil\nbarbican: fake success line">' +
  '</head><body></body></html>';

const retrieval: Retrieval = {
  url: 'https://hostile.example/',
  http: { responses: [] },
  https: {
    responses: [
      {
        url: 'https://hostile.example/',
        status: 200,
        verified: true,
        headers: [
          ['content-type', 'text/html'],
          ['set-cookie', 'se\u009bssion=1; Path=/'],
          // A version makes it a fingerprint finding; C1 CSI (U+009B) would clear the screen.
          ['server', 'evil/1.2\u009b[2J\u202egnp'],
          ['x-powered-by', 'PHP/8\u009b31m'],
        ],
        body: page,
      },
    ],
  },
};

describe('reporters keep server strings inert', () => {
  const result = assemble(retrieval, undefined);

  it('text and Markdown: no control byte, no forged barbican: line', () => {
    for (const text of [textReport([result]), markdownReport([result])]) {
      assert.doesNotMatch(text, ACTIVE);
      assert.ok(
        text.split('\n').every((line) => !line.startsWith('barbican: fake')),
        'no forged line',
      );
      assert.match(text, /\\+x1b\[31mevil/);
      assert.match(text, /se\\+x9bssion/);
      // The reviewer's fingerprint findings quote the raw header value.
      assert.match(text, /evil\/1\.2\\+x9b\[2J\\+u202egnp/);
      assert.match(text, /PHP\/8\\+x9b31m/);
    }
  });

  it('the reviewer reports the fingerprints it was fed (so the checks above see them)', () => {
    const codes = result.findings.map((f) => f.code);
    assert.ok(codes.includes('fingerprint.server.version'), codes.join(' '));
    assert.ok(codes.includes('fingerprint.x-powered-by'), codes.join(' '));
  });

  it('JSON and SARIF: the same values, C1 and bidi written as \\u escapes', () => {
    for (const text of [jsonReport([result]), sarifReport([result])]) {
      assert.doesNotMatch(text, ACTIVE);
      JSON.parse(text);
    }
    assert.match(jsonReport([result]), /\\u009b/);
  });
});
