import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BarbicanError } from '../../errors.ts';
import { checkSource } from './directives.ts';
import { cspHash, type CspHashAlgorithm } from './hash.ts';

const viaNode = (content: string, algorithm: CspHashAlgorithm): string =>
  `'${algorithm}-${createHash(algorithm).update(content, 'utf8').digest('base64')}'`;

describe('cspHash', () => {
  it('hashes the empty script like browsers do (sha256 default)', async () => {
    assert.equal(await cspHash(''), "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='");
  });

  for (const algorithm of ['sha256', 'sha384', 'sha512'] as const) {
    it(`matches node:crypto for ${algorithm}, including non-ASCII text (UTF-8)`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.string({ unit: 'binary' }), async (content) => {
          const h = await cspHash(content, algorithm);
          assert.equal(h, viaNode(content, algorithm));
          // What it returns is a valid source expression for the builder.
          assert.equal(checkSource(h), undefined);
        }),
        { numRuns: 100 },
      );
    });
  }

  it('refuses other algorithms and non-string content', async () => {
    for (const bad of ['sha1', 'md5', 'SHA-256', '__proto__', 'constructor']) {
      await assert.rejects(
        cspHash('x', bad as CspHashAlgorithm),
        (e: unknown) => e instanceof BarbicanError && e.code === 'BARBICAN_E_ENUM',
      );
    }
    await assert.rejects(cspHash(42 as unknown as string), { code: 'BARBICAN_E_TYPE' });
  });
});
