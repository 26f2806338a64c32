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
          ['server', 'evil\u202egnp'],
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
    }
  });

  it('JSON and SARIF: the same values, C1 and bidi written as \\u escapes', () => {
    for (const text of [jsonReport([result]), sarifReport([result])]) {
      assert.doesNotMatch(text, ACTIVE);
      JSON.parse(text);
    }
    assert.match(jsonReport([result]), /\\u009b/);
  });
});
