import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BarbicanError } from './barbican-error.ts';
import { escapeControl, hasControl, inertJson, inertJsonLine } from './control.ts';
import { quote } from './errors.ts';

/** What no escaped string may contain: anything a terminal or log reader acts on. */
const ACTIVE =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('escapeControl', () => {
  it('makes ESC, CR/LF, DEL, C1 and bidi overrides visible', () => {
    assert.equal(escapeControl('\u001b[31mRED'), '\\x1b[31mRED');
    assert.equal(escapeControl('evil\nbarbican: ok'), 'evil\\nbarbican: ok');
    assert.equal(escapeControl('a\rb\tc'), 'a\\rb\\tc');
    assert.equal(escapeControl('x\u007fy\u009bz'), 'x\\x7fy\\x9bz');
    assert.equal(escapeControl('admin\u202egnp.exe'), 'admin\\u202egnp.exe');
  });

  it('returns safe strings unchanged, including non-ASCII text', () => {
    const text = 'Grüße, 東京 — ✓';
    assert.equal(escapeControl(text), text);
    assert.equal(hasControl(text), false);
  });

  it('leaves nothing active, and is idempotent, for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const once = escapeControl(s);
        assert.doesNotMatch(once, ACTIVE);
        assert.equal(escapeControl(once), once);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('inertJson and inertJsonLine', () => {
  it('write the same JSON value with nothing active in its text, for any value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), fc.string({ unit: 'binary' }), (v, s) => {
        const value = { v, s, [s]: 1 };
        const pretty = inertJson(value);
        const line = inertJsonLine(value);
        // Only the layout's own line breaks: none inside a string.
        assert.doesNotMatch(pretty.replace(/\n/g, ''), ACTIVE);
        assert.doesNotMatch(line.slice(0, -1), ACTIVE);
        for (const text of [pretty, line]) {
          assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(value)));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('inertJsonLine is one line: a log reader sees one record per line', () => {
    assert.equal(inertJsonLine({ ua: 'x\u009b2J\n' }), '{"ua":"x\\u009b2J\\n"}\n');
  });
});

describe('BarbicanError messages are inert', () => {
  it('escapes a hostile option path and value', () => {
    const e = new BarbicanError('BARBICAN_E_UNKNOWN_OPTION', 'unknown option', {
      path: '\u001b[31mRED\nbarbican: fake success',
      value: 'C1 \u009b byte',
    });
    assert.doesNotMatch(e.message, ACTIVE);
    assert.match(e.message, /\\x1b\[31mRED\\nbarbican: fake success: unknown option/);
    assert.match(e.message, /\\x9b/);
  });

  it('quotes non-finite numbers as themselves, not as null', () => {
    assert.equal(quote(Infinity), 'Infinity');
    assert.equal(quote(Number.NaN), 'NaN');
    assert.equal(quote(-5), '-5');
  });
});
