import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { TCHAR } from '../field.ts';
import {
  decimal,
  innerList,
  item,
  parseDictionary,
  parseItem,
  parseList,
  serializeDictionary,
  serializeItem,
  serializeList,
  token,
  type BareItem,
  type Parameters,
  type SfDictionary,
  type SfItem,
  type SfMember,
} from './index.ts';

const errorOf = (r: { problems: readonly { severity: string; code: string; offset: number }[] }) =>
  r.problems.find((p) => p.severity === 'error');

describe('structured fields: parsing items (RFC 9651 §4.2.3)', () => {
  const cases: [string, BareItem][] = [
    ['42', 42],
    ['-42', -42],
    ['-0', 0],
    ['999999999999999', 999_999_999_999_999],
    ['4.5', decimal(4.5)],
    ['-0.001', decimal(-0.001)],
    ['"hello \\"world\\" \\\\"', 'hello "world" \\'],
    ['foo123/456', token('foo123/456')],
    ['*', token('*')],
    [
      ':cHJldGVuZCB0aGlzIGlzIGJpbmFyeSBjb250ZW50Lg==:',
      new TextEncoder().encode('pretend this is binary content.'),
    ],
    ['?1', true],
    ['?0', false],
    ['@1659578233', { date: 1659578233 }],
    ['%"f%c3%bc%c3%bc"', { display: 'füü' }],
  ];
  for (const [text, expected] of cases) {
    it(`parses ${text}`, () => {
      const r = parseItem(text);
      assert.deepEqual(r.problems, []);
      assert.deepEqual(r.value?.value, expected);
    });
  }

  it('parses parameters in order, last duplicate wins', () => {
    const r = parseItem('same-origin;report-to="coop";a;a=2');
    assert.deepEqual(
      [...(r.value?.params ?? [])],
      [
        ['report-to', 'coop'],
        ['a', 2],
      ],
    );
  });

  const bad: [string, string][] = [
    ['1234567890123456', 'sf.integer.too_long'],
    ['1.2345', 'sf.decimal.fraction'],
    ['1.', 'sf.decimal.fraction'],
    ['1234567890123.0', 'sf.decimal.too_long'],
    ['"unterminated', 'sf.string.unclosed'],
    ['"bad \\n escape"', 'sf.string.escape'],
    ['"tab\there"', 'sf.string.char'],
    ['?2', 'sf.boolean'],
    [':not base64!:', 'sf.bytes.base64'],
    ['@1.5', 'sf.date'],
    ['%"F%C3"', 'sf.display.escape'],
    ['%"%ff"', 'sf.display.utf8'],
    ['a;B=1', 'sf.key.start'],
    ['a b', 'sf.trailing'],
    ['', 'sf.item.start'],
    ['\u00e9', 'sf.non_ascii'],
    ['a\r\nSet-Cookie: x', 'sf.trailing'],
    ['"a\u0000b"', 'sf.string.char'],
  ];
  for (const [text, code] of bad) {
    it(`fails ${JSON.stringify(text)} with ${code} and an offset`, () => {
      const r = parseItem(text);
      assert.equal(r.value, undefined);
      const e = errorOf(r);
      assert.equal(e?.code, code);
      assert.ok(e.offset >= 0 && e.offset <= text.length);
    });
  }

  it('reports wrong input types as data instead of throwing', () => {
    const untyped = parseItem as (v: unknown) => ReturnType<typeof parseItem>;
    for (const v of [undefined, null, 42, {}, [], Symbol('x')]) {
      assert.equal(untyped(v).problems[0]?.code, 'sf.type');
    }
  });
});

describe('structured fields: lists and dictionaries', () => {
  it('parses a list with inner lists and parameters', () => {
    const r = parseList('sugar, tea;q=0.5, (a "b");lvl=1, ()');
    assert.equal(r.value?.length, 4);
    const third = r.value[2];
    assert.equal(third?.kind, 'innerList');
    assert.equal(serializeList(r.value), 'sugar, tea;q=0.5, (a "b");lvl=1, ()');
  });

  it('accepts an empty list and OWS around commas', () => {
    assert.deepEqual(parseList('').value, []);
    assert.equal(parseList('a ,\tb').value?.length, 2);
  });

  it('refuses a trailing comma and a missing separator', () => {
    assert.equal(errorOf(parseList('a,'))?.code, 'sf.list.trailing_comma');
    assert.equal(errorOf(parseList('(a)(b)'))?.code, 'sf.list.separator');
    assert.equal(errorOf(parseList('(a b'))?.code, 'sf.inner_list.unclosed');
    assert.equal(errorOf(parseList('(a,b)'))?.code, 'sf.inner_list.separator');
  });

  it('parses a dictionary; a bare key is Boolean true', () => {
    const r = parseDictionary('a=1, b, c;x=?0');
    assert.deepEqual(r.value?.get('b'), item(true));
    assert.deepEqual(r.value.get('c')?.params.get('x'), false);
    assert.equal(serializeDictionary(r.value), 'a=1, b, c;x=?0');
  });

  it('keeps the first position and last value of a repeated key, with a warning', () => {
    const r = parseDictionary('a=1, b=2, a=3');
    assert.deepEqual([...(r.value?.keys() ?? [])], ['a', 'b']);
    assert.deepEqual(r.value?.get('a'), item(3));
    assert.equal(r.problems[0]?.code, 'sf.dictionary.duplicate_key');
    assert.equal(r.problems[0].severity, 'warning');
  });

  it('refuses upper-case keys and values without a key', () => {
    assert.equal(errorOf(parseDictionary('Camera=()'))?.code, 'sf.key.start');
    assert.equal(errorOf(parseDictionary('=1'))?.code, 'sf.key.start');
    assert.equal(errorOf(parseDictionary('a=1,'))?.code, 'sf.dictionary.trailing_comma');
  });

  it('stays linear on huge inputs', () => {
    const big = Array.from(
      { length: 20_000 },
      (_, i) => `k${i}=(self "https://a${i}.example")`,
    ).join(', ');
    const t = performance.now();
    const r = parseDictionary(big);
    assert.equal(r.value?.size, 20_000);
    assert.ok(performance.now() - t < 2000);
    assert.equal(errorOf(parseList('('.repeat(100_000)))?.code, 'sf.item.start');
  });
});

describe('structured fields: serialising', () => {
  it('writes decimals with at least one and at most three fractional digits', () => {
    assert.equal(serializeItem(item(decimal(2))), '2.0');
    assert.equal(serializeItem(item(decimal(1.0005))), '1.0');
    assert.equal(serializeItem(item(decimal(-12.3456))), '-12.346');
  });

  it('escapes quotes and backslashes in strings', () => {
    assert.equal(serializeItem(item('a"b\\c')), '"a\\"b\\\\c"');
  });

  it('refuses values it cannot represent', () => {
    assert.throws(() => serializeItem(item('line\r\nbreak')), { code: 'BARBICAN_E_HEADER_SYNTAX' });
    assert.throws(() => serializeItem(item(token('no spaces'))), {
      code: 'BARBICAN_E_HEADER_SYNTAX',
    });
    assert.throws(() => serializeItem(item(1e16)), { code: 'BARBICAN_E_HEADER_SYNTAX' });
    assert.throws(() => serializeItem(item(1.5)), { code: 'BARBICAN_E_HEADER_SYNTAX' });
    assert.throws(() => serializeDictionary(new Map([['Upper', item(1)]])), {
      code: 'BARBICAN_E_HEADER_SYNTAX',
    });
  });
});

// ------------------------------------------------------------- properties

const keyArb = fc.stringMatching(/^[a-z*][a-z0-9_.*-]{0,8}$/);
const bareArb: fc.Arbitrary<BareItem> = fc.oneof(
  fc.integer({ min: -999_999_999_999_999, max: 999_999_999_999_999 }).map((n) => n || 0),
  fc
    .integer({ min: -999_999_999_999, max: 999_999_999_999 })
    .chain((i) =>
      fc
        .integer({ min: 0, max: 999 })
        .map((f) => decimal(Number(`${i}.${String(f).padStart(3, '0')}`) || 0)),
    ),
  fc.stringMatching(/^[\x20-\x7e]{0,12}$/),
  fc.stringMatching(new RegExp(`^[A-Za-z*][${TCHAR}:/]{0,8}$`)).map(token),
  fc.uint8Array({ maxLength: 12 }),
  fc.boolean(),
  fc.integer({ min: -999_999_999, max: 999_999_999 }).map((n) => ({ date: n || 0 })),
  fc.string({ maxLength: 8, unit: 'grapheme' }).map((s) => ({ display: s })),
);
const paramsArb: fc.Arbitrary<Parameters> = fc
  .uniqueArray(fc.tuple(keyArb, bareArb), { maxLength: 3, selector: (t) => t[0] })
  .map((entries) => new Map(entries));
const itemArb: fc.Arbitrary<SfItem> = fc.tuple(bareArb, paramsArb).map(([v, p]) => item(v, p));
const memberArb: fc.Arbitrary<SfMember> = fc.oneof(
  itemArb,
  fc.tuple(fc.array(itemArb, { maxLength: 3 }), paramsArb).map(([i, p]) => innerList(i, p)),
);

describe('structured fields: properties (fast-check)', () => {
  it('round-trips any list: parse(serialize(x)) equals x', () => {
    fc.assert(
      fc.property(fc.array(memberArb, { maxLength: 4 }), (list) => {
        const r = parseList(serializeList(list));
        assert.deepEqual(r.problems, []);
        assert.deepEqual(r.value, list);
      }),
    );
  });

  it('round-trips any dictionary', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(keyArb, memberArb), { maxLength: 4, selector: (t) => t[0] }),
        (entries) => {
          const dict: SfDictionary = new Map(entries);
          const r = parseDictionary(serializeDictionary(dict));
          assert.deepEqual(r.value, dict);
        },
      ),
    );
  });

  it('never throws on arbitrary input, and what parses re-serialises to a fixed point', () => {
    const input = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc.stringMatching(/^[a-z0-9=(),;:"*?@%. \\-]{0,40}$/),
    );
    fc.assert(
      fc.property(input, (s) => {
        for (const parse of [parseList, parseDictionary, parseItem] as const) {
          const r = parseList === parse ? parseList(s) : parse(s);
          if (r.value === undefined) {
            assert.ok(errorOf(r), 'a failed parse says why');
            continue;
          }
          const once =
            parse === parseItem
              ? serializeItem(r.value as SfItem)
              : parse === parseDictionary
                ? serializeDictionary(r.value as SfDictionary)
                : serializeList(r.value as SfMember[]);
          const again = parse(once);
          assert.deepEqual(again.value, r.value);
        }
      }),
      { numRuns: 500 },
    );
  });
});
