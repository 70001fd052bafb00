// The first-load budget (DESIGN §6): every file a first visit to the playground fetches,
// compressed with gzip -9, must stay under 500 KB. Recorded from Chromium's own requests, so
// a new asset counts as soon as the page asks for it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { serveDist, launch, recordBodies } from './harness.mjs';

export const FIRST_LOAD_BUDGET_BYTES = 500 * 1024;

test('the first visit fetches less than 500 KB gzip', async () => {
  const server = await serveDist();
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const bodies = recordBodies(page);
    await page.goto(server.url);
    await page.waitForSelector('[data-testid="cluster-view"]');
    await page.waitForLoadState('networkidle');
    let total = 0;
    const rows = [];
    for (const { url, body } of bodies) {
      const gz = gzipSync(body, { level: 9 }).length;
      total += gz;
      rows.push(`  ${url.replace(server.url, '/').padEnd(50)} ${String(body.length).padStart(9)} raw ${String(gz).padStart(8)} gzip`);
    }
    console.log(`first load: ${bodies.length} files, ${(total / 1024).toFixed(1)} KB gzip -9\n${rows.join('\n')}`);
    assert.ok(bodies.some((b) => b.url.endsWith('.wasm')), 'the page fetched its WebAssembly');
    assert.ok(total <= FIRST_LOAD_BUDGET_BYTES, `first load is ${(total / 1024).toFixed(1)} KB gzip, over the 500 KB budget`);
  } finally {
    await browser.close();
    server.close();
  }
});
