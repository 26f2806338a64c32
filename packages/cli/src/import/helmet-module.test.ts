import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ExtractError, parseConfigText } from '../config.ts';
import { unwrapJsObject } from './helmet-module.ts';

/** The options a module holds, as `barbican import` reads them. */
const options = (js: string) => parseConfigText('h.js', unwrapJsObject(js), 'yaml');

/** The ExtractError `js` is refused with. */
function refusal(js: string): ExtractError {
  try {
    unwrapJsObject(js);
  } catch (error) {
    if (error instanceof ExtractError) return error;
    throw error;
  }
  assert.fail(`accepted ${js}`);
}

describe('helmet options in a JavaScript module', () => {
  it('reads module.exports = {…} and export default {…}', () => {
    assert.deepEqual(options('module.exports = { hsts: false };\n'), { hsts: false });
    assert.deepEqual(options('export default {\n  frameguard: { action: "deny" },\n};'), {
      frameguard: { action: 'deny' },
    });
  });

  it('reads the object literal passed to the one helmet() call', () => {
    const js = [
      "import helmet from 'helmet'; // helmet({ in: 'a comment' })",
      'const label = "helmet({ in: \'a string\' })";',
      'app.use(helmet.contentSecurityPolicy()); // another function',
      'app.use(',
      '  helmet({',
      '    /* frames */ frameguard: { action: "deny" },',
      '    contentSecurityPolicy: { directives: { scriptSrc: ["\'self\'", `https://cdn.example`] } },',
      '  }),',
      ');',
    ].join('\n');
    assert.deepEqual(options(js), {
      frameguard: { action: 'deny' },
      contentSecurityPolicy: { directives: { scriptSrc: ["'self'", 'https://cdn.example'] } },
    });
    assert.deepEqual(options('export default helmet({ hsts: { maxAge: 300 } });'), {
      hsts: { maxAge: 300 },
    });
  });

  it('ignores the code after the options literal', () => {
    assert.deepEqual(options('module.exports = { hsts: false };\nconsole.log("loaded");\n'), {
      hsts: false,
    });
    assert.deepEqual(options('export default { hsts: false }\nexport const x = 1;'), {
      hsts: false,
    });
  });

  it('reads helmet() as helmet with its defaults', () => {
    assert.deepEqual(options('app.use(helmet());'), {});
    assert.deepEqual(options('app.use(helmet( ));'), {});
  });

  it('keeps every offset, so errors point into the file', () => {
    const js = 'app.use(helmet({\n  hsts: { maxAge: 1 },\n}));\n';
    const out = unwrapJsObject(js);
    assert.equal(out.length, js.length);
    assert.equal(out.indexOf('hsts'), js.indexOf('hsts'));
    assert.deepEqual(out.split('\n').length, js.split('\n').length);
  });

  it('leaves template literals with substitutions or quotes as they are', () => {
    const out = unwrapJsObject('module.exports = { a: `x${y}`, b: `say "hi"`, c: `ok` };');
    assert.match(out, /`x\$\{y\}`/);
    assert.match(out, /`say "hi"`/);
    assert.match(out, /c: "ok"/);
  });

  it('refuses a file with no options, several helmet() calls, or options that only exist when run', () => {
    const none = refusal('const x = 1;\n');
    assert.match(none.problem, /holds no helmet options/);
    const twice = refusal('app.use(helmet({ a: 1 }));\napp.use(helmet({ b: 2 }));\n');
    assert.match(twice.problem, /calls helmet\(\) 2 times/);
    assert.equal(twice.offset, 'app.use(helmet({ a: 1 }));\napp.use(helmet'.length);
    const variable = refusal('const opts = { hsts: false };\napp.use(helmet(opts));\n');
    assert.match(variable.problem, /something other than an object literal/);
    assert.equal(variable.offset, 'const opts = { hsts: false };\napp.use(helmet('.length);
  });

  it('keeps the length of any text, and refuses only with an ExtractError', () => {
    const js = fc.stringMatching(/^(?:helmet\(|module\.exports =|[{}()"'`$\\/*\n a:;])*$/);
    fc.assert(
      fc.property(js, (text) => {
        try {
          assert.equal(unwrapJsObject(text).length, text.length);
        } catch (error) {
          assert.ok(error instanceof ExtractError, String(error));
          assert.ok(error.offset >= 0 && error.offset <= text.length);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
