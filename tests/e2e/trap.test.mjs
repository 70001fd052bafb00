// A page that dies says so: a WebAssembly trap (out of memory, or `unreachable` after an abort)
// bypasses Rust's panic hook and reaches the page as an uncaught WebAssembly.RuntimeError; the
// trap overlay (src/trap-overlay.js) must show it with a way to a fresh run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suite, openPage, screenshot } from './harness.mjs';

const env = suite();

for (const [what, message, expected] of [
  ['an out-of-memory trap', 'Out of memory: Cannot allocate Wasm memory for new instance', /ran out of memory/],
  ['an unreachable trap', 'unreachable', /internal error/],
]) {
  test(`${what} shows the overlay with a fresh-run link`, async () => {
    const { page, problems, context } = await openPage(env.browser, `${env.server.url}#/lessons`);
    await page.getByTestId('lesson-index').waitFor();
    // Thrown from a task of its own, as a trap in an animation frame or an event handler is.
    await page.evaluate((m) => setTimeout(() => { throw new WebAssembly.RuntimeError(m); }, 0), message);
    const overlay = page.getByTestId('panic-overlay');
    await overlay.waitFor();
    assert.match(await overlay.innerText(), expected);
    assert.match(await overlay.innerText(), new RegExp(message.slice(0, 20)));
    await screenshot(page, `trap-${what.split(' ')[1]}`);
    await page.getByTestId('fresh-run').click();
    await page.waitForURL((u) => !u.hash);
    await page.getByTestId('cluster-view').waitFor();
    assert.equal(await page.getByTestId('panic-overlay').count(), 0, 'the fresh run starts clean');
    // The only problem reported is the trap this test threw.
    assert.ok(problems.every((p) => /RuntimeError|unreachable|Out of memory/.test(p)), problems.join('\n'));
    await context.close();
  });
}
