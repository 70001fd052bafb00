// End-to-end: the release bundle in Debian's Chromium, driven like a user would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { suite, openPage, screenshot } from './harness.mjs';
import { nodes, waitFor, leaderOf, setRange, clickNode } from './page.mjs';

const env = suite();

test('leader election, crash, re-election, restart, partition, heal, time travel and speed', async () => {
  const { page, problems, context } = await openPage(env.browser, `${env.server.url}?seed=42&speed=1`);
  await page.getByTestId('cluster-view').waitFor();
  assert.equal((await nodes(page)).length, 6, 'three controllers and three brokers');
  assert.match(await page.getByTestId('core-version').textContent(), /core \d+\.\d+\.\d+/);

  // A leader appears.
  const first = await waitFor(page, async () => leaderOf(await nodes(page)), 30000, 'a first leader');
  assert.ok(first.epoch >= 1);
  await waitFor(page, async () => /LeaderId:\s+\d+/.test(await page.getByTestId('quorum-status').textContent()), 10000, 'describe --status names the leader');
  await screenshot(page, '01-first-leader');

  // Crash the leader by clicking it.
  await clickNode(page, first.id);
  await page.getByTestId('node-menu').waitFor();
  await page.getByTestId('action-crash').click();
  await waitFor(page, async () => (await nodes(page)).find((n) => n.id === first.id)?.status === 'crashed', 5000, 'the leader to be down');
  await screenshot(page, '02-leader-crashed');
  const second = await waitFor(
    page,
    async () => {
      const l = leaderOf(await nodes(page));
      return l && l.id !== first.id && l.epoch > first.epoch ? l : null;
    },
    30000,
    'a new leader in a higher epoch',
  );
  await screenshot(page, '03-new-leader');

  // Restart the old leader: it comes back and follows.
  await clickNode(page, first.id);
  await page.getByTestId('action-restart').click();
  await waitFor(page, async () => (await nodes(page)).find((n) => n.id === first.id)?.role === 'follower', 30000, 'the old leader to follow');
  await page.keyboard.press('Escape');
  await screenshot(page, '04-old-leader-follows');

  // Partition the leader away from everyone (the dialog's default split), then heal.
  await page.getByTestId('open-partition').click();
  await page.getByTestId('partition-dialog').waitFor();
  await page.getByTestId('partition-apply').click();
  await waitFor(page, async () => (await page.locator('.cut').count()) > 0, 5000, 'cut links to be drawn');
  const third = await waitFor(
    page,
    async () => {
      const l = leaderOf(await nodes(page));
      return l && l.id !== second.id && l.epoch > second.epoch ? l : null;
    },
    40000,
    'the majority side to elect a leader',
  );
  await screenshot(page, '05-partitioned');
  await page.getByTestId('heal').click();
  await waitFor(page, async () => (await page.locator('.cut').count()) === 0, 5000, 'cuts to disappear');
  await waitFor(page, async () => (await nodes(page)).find((n) => n.id === second.id)?.role === 'follower', 40000, 'the isolated leader to rejoin as a follower');
  await screenshot(page, '06-healed');
  assert.ok(third.epoch > second.epoch);

  // Time travel: pause, scrub back, check the clock and the picture went back, then forward.
  await page.getByTestId('play-pause').click();
  const liveTime = parseFloat(await page.getByTestId('sim-time').textContent());
  await setRange(page, 'timeline', 1000);
  const pastTime = parseFloat(await page.getByTestId('sim-time').textContent());
  assert.ok(Math.abs(pastTime - 1.0) < 0.01, `scrubbed to 1 s, clock shows ${pastTime}`);
  const past = await nodes(page);
  assert.ok(past.filter((n) => n.status === 'up').length === 6, 'at 1 s every node was still up');
  assert.ok(!leaderOf(past) || leaderOf(past).epoch <= 1, 'no later epoch exists at 1 s');
  await screenshot(page, '07-scrubbed-back');
  await page.getByTestId('go-live').click();
  const backTime = parseFloat(await page.getByTestId('sim-time').textContent());
  assert.ok(Math.abs(backTime - liveTime) < 0.01, `back at the end of the recording: ${backTime} vs ${liveTime}`);
  assert.equal(leaderOf(await nodes(page))?.id, third.id, 'the future replayed to the same leader');

  // Speed: the slider is logarithmic.
  await setRange(page, 'speed', 100);
  assert.equal(await page.getByTestId('speed-value').textContent(), '10×');
  await setRange(page, 'speed', -200);
  assert.equal(await page.getByTestId('speed-value').textContent(), '0.01×');

  // Step advances by one event only.
  const before = parseFloat(await page.getByTestId('sim-time').textContent());
  await page.getByTestId('step').click();
  const after = parseFloat(await page.getByTestId('sim-time').textContent());
  assert.ok(after >= before && after - before < 2.1, `one step from ${before} went to ${after}`);

  assert.deepEqual(problems, []);
  await context.close();
});

test('keyboard: shortcuts, help overlay and node menus work without a mouse', async () => {
  const { page, problems, context } = await openPage(env.browser, `${env.server.url}?seed=7&speed=2`);
  await page.getByTestId('cluster-view').waitFor();
  await waitFor(page, async () => leaderOf(await nodes(page)), 30000, 'a leader');
  await page.keyboard.press('?');
  await page.getByTestId('help-dialog').waitFor();
  await page.keyboard.press('Escape');
  assert.equal(await page.getByTestId('help-dialog').count(), 0);
  await page.keyboard.press('k');
  await waitFor(page, async () => (await nodes(page)).some((n) => n.status === 'crashed'), 5000, 'K to crash the leader');
  // Focus a node with Tab and open its menu with Enter.
  await page.getByTestId('node-3000').focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('node-menu').waitFor();
  await page.keyboard.press('Escape');
  assert.equal(await page.getByTestId('node-menu').count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a share link replays the same run, and a broken link is refused with a message', async () => {
  const { page, problems, context } = await openPage(env.browser, `${env.server.url}?seed=5&speed=2`);
  await waitFor(page, async () => leaderOf(await nodes(page)), 30000, 'a leader');
  await page.keyboard.press('w');
  await page.keyboard.press('k');
  await page.waitForTimeout(500);
  await page.keyboard.press('s');
  await page.getByTestId('share-dialog').waitFor();
  // The builder (share.html) fills its fields once it has unpacked the run.
  const builder = page.frameLocator('[data-testid="share-builder"]');
  await builder.locator('body[data-ready="true"]').waitFor();
  const link = await builder.getByTestId('share-link').inputValue();
  assert.match(link, /#run=v\d+\./);
  assert.match(await builder.getByTestId('embed-snippet').inputValue(), /<iframe src="[^"]*embed\.html/);
  await context.close();

  const shared = await openPage(env.browser, link.replace(/^https?:\/\/[^/]+\//, env.server.url));
  await shared.page.getByTestId('cluster-view').waitFor();
  await shared.page.getByTestId('speed').waitFor();
  await setRange(shared.page, 'speed', 100);
  await waitFor(shared.page, async () => (await nodes(shared.page)).some((n) => n.status === 'crashed'), 30000, 'the replay to crash the leader again');
  assert.deepEqual(shared.problems, []);
  await shared.context.close();

  const broken = await openPage(env.browser, `${env.server.url}#run=v999.AAAA`);
  await broken.page.getByTestId('link-error').waitFor();
  assert.match(await broken.page.getByTestId('link-error').textContent(), /engine version 999/);
  assert.deepEqual(broken.problems, []);
  await broken.context.close();
  assert.deepEqual(problems, []);
});

test('links packed by any raw DEFLATE open in the page; damaged and oversized ones are refused', async () => {
  // The page packs and unpacks with the browser's own (De)CompressionStream; a link packed by
  // another compressor (here Node's zlib, elsewhere the CLI's miniz_oxide) must open all the same.
  const first = await openPage(env.browser, env.server.url);
  const engine = (await first.page.getByTestId('core-version').textContent()).match(/engine v(\d+)/)[1];
  await first.context.close();
  const link = (bytes) => `${env.server.url}#run=v2.${Buffer.from(bytes).toString('base64url')}`;

  const run = `# engine ${engine}\ncluster kraft voters=3 brokers=1 seed=7 prevote=on fetch-hw=on latency=10ms..20ms loss=0% duplicate=0% reorder=off\nat 1s crash 3001\n`;
  const good = await openPage(env.browser, link(deflateRawSync(run)));
  await good.page.getByTestId('cluster-view').waitFor();
  assert.equal((await nodes(good.page)).length, 4, 'three controllers and one broker, as the link says');
  assert.equal(await good.page.getByTestId('link-error').count(), 0, 'no refusal');
  assert.deepEqual(good.problems, []);
  await good.context.close();

  for (const [bytes, why] of [
    [Buffer.alloc(40, 0xff), /damaged \(it does not unpack\)/],
    [deflateRawSync(run).subarray(0, 20), /damaged \(it does not unpack\)/],
    // A few kilobytes that would inflate to 2 MiB: the page stops reading at 1 MiB.
    [deflateRawSync(`# engine ${engine}\n${'#'.repeat(2 << 20)}`), /larger than 1024 KiB once unpacked/],
  ]) {
    const refused = await openPage(env.browser, link(bytes));
    await refused.page.getByTestId('link-error').waitFor();
    assert.match(await refused.page.getByTestId('link-error').textContent(), why);
    assert.equal((await nodes(refused.page)).length, 6, 'the default cluster instead');
    assert.deepEqual(refused.problems, []);
    await refused.context.close();
  }
});

test('phone-sized screens and embed mode render the cluster', async () => {
  const phone = await openPage(env.browser, `${env.server.url}?seed=3&speed=2`, { width: 375, height: 740 });
  await waitFor(phone.page, async () => leaderOf(await nodes(phone.page)), 30000, 'a leader on a phone');
  const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no horizontal scrolling on a 375 px screen (overflow ${overflow}px)`);
  await screenshot(phone.page, '08-phone');
  assert.deepEqual(phone.problems, []);
  await phone.context.close();

  const embed = await openPage(env.browser, `${env.server.url}?embed&seed=3`, { width: 720, height: 520 });
  await embed.page.getByTestId('cluster-view').waitFor();
  assert.equal(await embed.page.locator('.topbar').count(), 0, 'no chrome in embed mode');
  await screenshot(embed.page, '09-embed');
  assert.deepEqual(embed.problems, []);
  await embed.context.close();
});

test('paused or hidden, the page does no frame work', async () => {
  const { page, problems, context } = await openPage(env.browser, `${env.server.url}?seed=11`);
  await page.getByTestId('cluster-view').waitFor();
  await page.waitForTimeout(1000);
  const frames = () => page.evaluate(() => window.wasmBindings.frame_times().length);
  assert.ok((await frames()) > 10, 'playing runs the frame loop');

  await page.getByTestId('play-pause').click();
  await page.evaluate(() => window.wasmBindings.clear_frame_times());
  const t0 = await page.getByTestId('sim-time').textContent();
  await page.waitForTimeout(1000);
  assert.equal(await frames(), 0, 'no frames while paused');
  assert.equal(await page.getByTestId('sim-time').textContent(), t0, 'time stands still while paused');

  await page.getByTestId('play-pause').click();
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await page.waitForTimeout(200);
  await page.evaluate(() => window.wasmBindings.clear_frame_times());
  await page.waitForTimeout(1000);
  assert.equal(await frames(), 0, 'no frames while hidden, even when playing');
  await page.evaluate(() => {
    delete document.visibilityState;
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await page.waitForTimeout(500);
  assert.ok((await frames()) > 5, 'the loop resumes when the page is visible again');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the playground keeps its run in the address bar: a reload reopens it', async () => {
  const { page, problems, context } = await openPage(env.browser, `${env.server.url}?seed=9&speed=2`);
  const leader = await waitFor(page, async () => leaderOf(await nodes(page)), 30000, 'a leader');
  await page.keyboard.press('k');
  await waitFor(page, async () => /#run=v2\./.test(page.url()), 5000, 'the run in the address bar');
  const crashedAt = await page.getByTestId('sim-time').textContent();
  await page.reload();
  await page.getByTestId('cluster-view').waitFor();
  await setRange(page, 'speed', 100);
  await waitFor(page, async () => (await nodes(page)).some((n) => n.id === leader.id && n.status === 'crashed'), 30000, `the reopened run to crash ${leader.id} again (at ${crashedAt})`);
  assert.match(page.url(), /#run=v2\./);
  assert.deepEqual(problems, []);
  await context.close();
});
