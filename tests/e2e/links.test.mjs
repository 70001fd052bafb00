// Long links and links over budget (issue: nothing a learner opens can take the page down): a
// link whose run lasts an hour opens with a progress bar while the page stays responsive, can
// be cancelled, and a link over the run's limits is refused with the limit named, before any
// replay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { suite, openPage, screenshot } from './harness.mjs';
import { nodes } from './page.mjs';

const env = suite();

async function engineOf() {
  const first = await openPage(env.browser, env.server.url);
  const engine = (await first.page.getByTestId('core-version').textContent()).match(/engine v(\d+)/)[1];
  await first.context.close();
  return engine;
}

const link = (text) => `${env.server.url}#run=v2.${Buffer.from(deflateRawSync(text)).toString('base64url')}`;

test('a one-hour link opens with progress, the page stays responsive, and it ends at its start', async () => {
  const engine = await engineOf();
  const run = `# engine ${engine}\ncluster kraft voters=3 brokers=3 seed=42\nat 10s crash 3000\nat 1h heal\n`;
  const started = Date.now();
  const { page, problems, context } = await openPage(env.browser, link(run));
  await page.getByTestId('replay').waitFor();
  // While it replays, the page answers and the bar moves.
  const seen = new Set();
  let longest = 0;
  while (await page.getByTestId('replay').count()) {
    const t0 = Date.now();
    // Read in the page (the main thread must answer), not through a locator that would wait
    // for a bar which may have just gone.
    const pct = await page.evaluate(
      () => document.querySelector('[data-testid="replay-progress"]')?.getAttribute('data-percent') ?? null,
    );
    longest = Math.max(longest, Date.now() - t0);
    if (pct !== null) seen.add(pct);
    if (seen.size === 3) await screenshot(page, 'links-01-replaying');
    await page.waitForTimeout(50);
  }
  assert.ok(seen.size >= 3, `the progress bar moved (${[...seen].join(', ')})`);
  assert.ok(longest < 1000, `the page answered within a second while replaying (${longest} ms)`);
  console.log(`a one-hour link opened in ${Date.now() - started} ms (longest answer while replaying: ${longest} ms)`);
  await page.getByTestId('cluster-view').waitFor();
  const shown = parseFloat(await page.getByTestId('sim-time').textContent());
  assert.ok(shown < 2, `shown from its start (${shown} s)`);
  const max = Number(await page.getByTestId('timeline').getAttribute('max'));
  assert.ok(max >= 3_600_000, `the recording reaches an hour (${max} ms)`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a replay can be cancelled', async () => {
  const engine = await engineOf();
  const run = `# engine ${engine}\ncluster kraft voters=5 brokers=5 seed=9\nat 1h heal\n`;
  const { page, problems, context } = await openPage(env.browser, link(run));
  await page.getByTestId('replay-cancel').click();
  await page.getByTestId('toast').waitFor();
  assert.match(await page.getByTestId('toast').textContent(), /cancelled/);
  assert.equal(await page.getByTestId('replay').count(), 0);
  assert.equal((await nodes(page)).length, 6, 'a fresh default cluster instead');
  assert.deepEqual(problems, []);
  await context.close();
});

test('links over the limits are refused with the limit named, before any replay', async () => {
  const engine = await engineOf();
  for (const [run, why] of [
    [`# engine ${engine}\ncluster kraft voters=3 brokers=3 seed=42\nat 30h heal\n`, /time-per-run/],
    [`# engine ${engine}\ncluster kraft voters=3 brokers=3 seed=42\n${Array.from({ length: 30 }, (_, i) => `at ${i + 1}s write 100000`).join('\n')}\n`, /records-per-run/],
  ]) {
    const { page, problems, context } = await openPage(env.browser, link(run));
    await page.getByTestId('link-error').waitFor();
    assert.match(await page.getByTestId('link-error').textContent(), why);
    assert.equal(await page.getByTestId('replay').count(), 0, 'nothing replayed');
    assert.deepEqual(problems, []);
    await context.close();
  }
});
