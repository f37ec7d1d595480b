// What the browser tests share: a static site (examples/web/serve.mjs: js/dist at /synckit/ plus
// the test's own pages), a synckit-server that allows that origin (CORS), Debian's chromium through
// playwright-core (no browser download), and a page opened and ready (window.ready === true).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { ServerProcess } from './server.mjs';
import { serveExample } from '../../../examples/web/serve.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const chromiumPath = process.env.SYNCKIT_CHROMIUM ?? '/usr/bin/chromium';

/** Starts site, server and browser and opens `path`; close() ends them all. */
export async function openTestPage({ pages, path }) {
  assert.ok(existsSync(join(repo, 'js', 'dist', 'index.js')), 'js/dist is missing: build the package (js/scripts/build.mjs)');
  assert.ok(existsSync(chromiumPath), `no chromium at ${chromiumPath} (apt-get install chromium, or set SYNCKIT_CHROMIUM)`);
  const site = await serveExample({ port: 0, pages });
  const server = await ServerProcess.start(['--cors-origin', site.url]);
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    timeout: 20_000,
  });
  const open = async () => {
    const page = await browser.newPage();
    page.on('pageerror', (error) => console.log(`# page error: ${error.message}`));
    await page.goto(`${site.url}${path}`);
    await page.waitForFunction(() => window.ready === true, null, { timeout: 30_000 });
    return page;
  };
  const page = await open();
  return {
    site, server, browser, page, open,
    async close() {
      await browser.close();
      await server.dispose();
      await site.close();
    },
  };
}
