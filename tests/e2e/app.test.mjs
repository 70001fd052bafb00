// End-to-end: the release bundle in Debian's Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, openPage, screenshot } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await serveDist();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.close();
});

test('the page loads and shows the core version without console errors', async () => {
  const { page, problems, context } = await openPage(browser, server.url);
  const version = page.getByTestId('core-version');
  await version.waitFor({ timeout: 15000 });
  assert.match(await version.textContent(), /core \d+\.\d+\.\d+/);
  await screenshot(page, 'loaded');
  assert.deepEqual(problems, []);
  await context.close();
});
