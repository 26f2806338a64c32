/**
 * The README's first example, as pasted, in a real browser: the Express
 * block is read from README.md, run on Express 5 and Express 4 (only its
 * port changed, to one the kernel picks on 127.0.0.1), and loaded in
 * Debian's Chromium. Its nonce'd script must run; an inline script injected
 * into a page of the same app (what an XSS puts there) must not.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../../../scripts/chromium.ts';

const ROOT = resolve(import.meta.dirname, '../../../..');

/** The README's `// Express 4 and 5` code block, exactly. */
function readmeExpressBlock(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = /```ts\n(\/\/ Express 4 and 5\n[\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block !== undefined, 'README.md has an "// Express 4 and 5" ts block');
  assert.match(block, /res\.locals\.cspNonce/, 'the block reads the nonce');
  assert.match(block, /app\.listen\(3000\);\n$/, 'the block ends listening on 3000');
  return block;
}

/** The app as a module: the block, listening on a port the kernel picks, the app and server exported. */
function asModule(block: string, express: 'express' | 'express4'): string {
  return (
    block
      .replace("from 'express';", `from '${express}';`)
      .replace(/app\.listen\(3000\);\n$/, "export const server = app.listen(0, '127.0.0.1');\n") +
    'export { app };\n'
  );
}

interface Loaded {
  logs: string[];
  violations: string[];
  html: string;
}

async function load(page: Page, url: string): Promise<Loaded> {
  const logs: string[] = [];
  const violations: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'log') logs.push(m.text());
    else if (/Content Security Policy/.test(m.text())) violations.push(m.text());
  });
  const res = (await page.goto(url, { waitUntil: 'load' })) ?? assert.fail(`no response: ${url}`);
  assert.equal(res.status(), 200);
  const html = await res.text();
  page.removeAllListeners('console');
  return { logs, violations, html };
}

for (const express of ['express', 'express4'] as const) {
  describe(`README's Express example in Chromium (${express})`, () => {
    // Under the repository, so the block's imports resolve as they would in an app.
    mkdirSync(join(ROOT, '.cache/readme'), { recursive: true });
    const dir = mkdtempSync(join(ROOT, '.cache/readme', `${express}-`));
    let server: Server;
    let base: string;
    let browser: Browser;

    before(async () => {
      const file = join(dir, 'app.ts');
      writeFileSync(file, asModule(readmeExpressBlock(), express));
      const mod = (await import(pathToFileURL(file).href)) as {
        app: import('express').Express;
        server: Server;
      };
      // A page of the same app with an injected inline script beside the app's own.
      mod.app.get('/injected', (_req, res) =>
        res.send(
          `<script nonce="${String(res.locals['cspNonce'])}">console.log('hi')</script>` +
            `<script>console.log('injected')</script>`,
        ),
      );
      server = mod.server;
      if (!server.listening) await once(server, 'listening');
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      browser = await launchChromium();
    });
    after(async () => {
      await browser.close();
      server.closeAllConnections();
      server.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("runs the page's nonce'd script, as pasted", async () => {
      const page = await browser.newPage();
      const got = await load(page, `${base}/`);
      assert.doesNotMatch(got.html, /nonce="undefined"/);
      assert.match(got.html, /<script nonce="[A-Za-z0-9+/]{22}==">/);
      assert.deepEqual(got.logs, ['hi']);
      assert.deepEqual(got.violations, []);
      await page.close();
    });

    it('blocks an injected inline script without the nonce', async () => {
      const page = await browser.newPage();
      const got = await load(page, `${base}/injected`);
      assert.deepEqual(got.logs, ['hi']);
      assert.equal(got.violations.length, 1, got.violations.join('\n'));
      // Chromium names the blocked script by its hash: the injected one.
      const injected = createHash('sha256').update("console.log('injected')").digest('base64');
      assert.match(got.violations[0] ?? '', /inline script violates .*script-src.* blocked/);
      assert.ok(got.violations[0]?.includes(`'sha256-${injected}'`), got.violations[0]);
      await page.close();
    });
  });
}
