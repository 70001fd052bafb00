// End-to-end: the metadata layer in the browser — topics created from the panel reach every
// broker's image, a crashed broker is drawn fenced after its 9 s session, and a scale run of
// 100,000 partitions replays without freezing the page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suite, openPage, screenshot } from './harness.mjs';
import { nodes, waitFor, leaderOf, setRange, clickNode } from './page.mjs';

const env = suite();

/** The image table as { node: { fenced, offset, lag, partitions } }. */
async function images(page) {
  return page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll('[data-testid="image-table"] tbody tr')].map((tr) => {
        const cells = [...tr.querySelectorAll('td')].map((td) => td.textContent);
        return [tr.dataset.node, { fenced: tr.dataset.fenced, offset: cells[3], lag: cells[4], partitions: Number(cells[5]) }];
      }),
    ),
  );
}

test('a topic reaches every broker, and a crashed broker is fenced and drawn so', async () => {
  const { page, problems, context } = await openPage(env.browser, `${env.server.url}?seed=42&speed=2`);
  await waitFor(page, async () => leaderOf(await nodes(page)), 30000, 'a leader');
  await waitFor(
    page,
    async () => (await page.locator('[data-testid^="node-"][data-broker-state="RUNNING"]').count()) === 3,
    30000,
    'three running brokers',
  );

  await page.getByTestId('topic-name').fill('orders');
  await page.getByTestId('topic-partitions').fill('6');
  await page.getByTestId('topic-partitions').dispatchEvent('change');
  await page.getByTestId('create-topic').click();
  await waitFor(page, async () => /Topic: orders\tTopicId: \S+\tPartitionCount: 6\tReplicationFactor: 3/.test(await page.getByTestId('metadata-topics').textContent()), 10000, 'kafka-topics --describe to list the topic');
  await waitFor(page, async () => Object.values(await images(page)).every((i) => i.partitions === 6), 10000, 'every image to hold the six partitions');
  // The same answer from a broker's own image.
  await page.getByTestId('topics-of').selectOption('1');
  await waitFor(page, async () => /Partition: 5\tLeader: \d/.test(await page.getByTestId('metadata-topics').textContent()), 5000, "broker 1's image to describe partition 5");
  await screenshot(page, '10-topic-created');

  // Crash broker 1: nothing for 9 s, then it is fenced and its leaderships move.
  await clickNode(page, '1');
  await page.getByTestId('action-crash').click();
  await page.keyboard.press('Escape');
  await setRange(page, 'speed', 60);
  await waitFor(page, async () => (await page.getByTestId('node-1').getAttribute('data-fenced')) === 'true', 30000, 'broker 1 to be fenced');
  // The tables beside the picture follow a playing run eight times a second.
  await waitFor(page, async () => (await images(page))['1'].fenced === 'true', 2000, 'the image table to say fenced too');
  await page.getByTestId('topics-of').selectOption('');
  const text = await page.getByTestId('metadata-topics').textContent();
  assert.doesNotMatch(text, /Leader: 1\t/, 'no partition is led by the fenced broker');
  assert.doesNotMatch(text, /Isr: [\d,]*\b1\b/, 'the fenced broker is in no ISR');
  await screenshot(page, '11-broker-fenced');
  assert.deepEqual(problems, []);
  await context.close();
});

test('100,000 partitions replay in slices: every image gets them and the page keeps drawing', async () => {
  const { page, problems, context } = await openPage(env.browser, `${env.server.url}?seed=9&speed=1`);
  await waitFor(page, async () => (await page.locator('[data-testid^="node-"][data-broker-state="RUNNING"]').count()) === 3, 40000, 'three running brokers');
  await page.getByTestId('bulk-count').fill('1000');
  await page.getByTestId('bulk-count').dispatchEvent('change');
  await page.getByTestId('bulk-partitions').fill('100');
  await page.getByTestId('bulk-partitions').dispatchEvent('change');
  await page.evaluate(() => window.wasmBindings.clear_frame_times());
  await page.getByTestId('create-topics').click();
  await waitFor(page, async () => Object.values(await images(page)).every((i) => i.partitions === 100000), 60000, 'every image to hold 100,000 partitions');
  const frames = await page.evaluate(() => window.wasmBindings.frame_times());
  frames.sort((a, b) => a - b);
  const worst = frames[frames.length - 1];
  assert.ok(frames.length > 10, 'frames kept coming during the replay');
  assert.ok(worst < 1000, `no frame froze the page (worst ${worst.toFixed(0)} ms)`);
  console.log(`# 100,000 partitions: ${frames.length} frames, median ${frames[frames.length >> 1].toFixed(1)} ms, worst ${worst.toFixed(1)} ms`);
  await screenshot(page, '12-hundred-thousand-partitions');
  assert.deepEqual(problems, []);
  await context.close();
});
