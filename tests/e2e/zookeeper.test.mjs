// End-to-end: ZooKeeper mode in the browser — a ZooKeeper-mode cluster is drawn with its
// ensemble and its controller broker, a crashed controller is replaced after the session
// timeout, and the comparison panel replays one fault in both modes and plots the sweep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suite, openPage, screenshot } from './harness.mjs';
import { nodes, waitFor, setRange, clickNode } from './page.mjs';

const env = suite();

test('a ZooKeeper-mode cluster: ensemble, controller, failover after the session timeout', async () => {
  const { page, problems, context } = await openPage(env.browser, `${env.server.url}?seed=4&speed=2`);
  await page.getByTestId('new-cluster').click();
  await page.getByTestId('new-mode-zk').check();
  await page.getByTestId('new-partitions').fill('20000');
  await page.getByTestId('new-cluster-create').click();
  const roles = async () => Object.fromEntries((await nodes(page)).map((n) => [n.id, n.role]));
  await waitFor(page, async () => Object.values(await roles(page)).includes('zk-leader'), 30000, 'a ZooKeeper leader');
  await waitFor(page, async () => Object.values(await roles(page)).includes('zk-controller'), 30000, 'a controller broker');
  const r = await roles(page);
  assert.deepEqual(Object.keys(r).filter((id) => id.startsWith('zk')).sort(), ['zk1', 'zk2', 'zk3']);
  assert.equal(Object.values(r).filter((x) => x === 'zk-follower').length, 2, 'two ZooKeeper followers');
  const controller = Object.entries(r).find(([, role]) => role === 'zk-controller')[0];
  // The tools panel asks ZooKeeper, as an operator would: srvr per server, get /controller.
  await waitFor(page, async () => (await page.getByTestId('quorum-status').innerText()).includes('Mode: leader'), 10000, 'srvr output');
  const status = await page.getByTestId('quorum-status').innerText();
  assert.equal(status.match(/Mode: follower/g).length, 2, status);
  // The tools panel follows a playing run eight times a second, the picture every event.
  await waitFor(page, async () => (await page.getByTestId('quorum-replication').innerText()).includes(`"brokerid":${controller}`), 2000, `get /controller to name broker ${controller}`);
  await screenshot(page, '20-zookeeper-mode');

  await clickNode(page, controller);
  // The menu tells what a ZooKeeper-mode broker knows: its session, its registration, the
  // controller it obeys and, here, the controller's own work.
  const menu = await page.getByTestId('node-menu').innerText();
  for (const row of ['ZooKeeper session', 'Registered', 'Obeys controller', 'Controller work']) {
    assert.ok(menu.includes(row), `${row} in the node menu:\n${menu}`);
  }
  assert.ok(!menu.includes('High watermark'), 'no Raft rows for a ZooKeeper-mode broker');
  await page.getByTestId('action-crash').click();
  await page.keyboard.press('Escape');
  await setRange(page, 'speed', 60);
  await waitFor(
    page,
    async () => Object.entries(await roles(page)).some(([id, role]) => role === 'zk-controller' && id !== controller),
    60000,
    'another broker to become controller',
  );
  await screenshot(page, '21-zookeeper-failover');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the comparison panel replays a fault in both modes and plots the sweep', async () => {
  const { page, problems, context } = await openPage(env.browser, `${env.server.url}?seed=1`);
  await page.getByTestId('compare-partitions').selectOption('2000000');
  await page.getByTestId('compare-run').click();
  await waitFor(page, async () => (await page.getByTestId('compare-mode').count()) === 2, 20000, 'both timelines');
  const recovery = await page.evaluate(() =>
    Object.fromEntries([...document.querySelectorAll('[data-testid=compare-mode]')].map((e) => [e.dataset.mode, Number(e.dataset.recoveryMs)])),
  );
  assert.ok(recovery.zookeeper > 5 * recovery.kraft, `ZooKeeper ${recovery.zookeeper} ms vs KRaft ${recovery.kraft} ms`);
  assert.ok(Math.abs(recovery.zookeeper / 1000 - 503) < 0.25 * 503, `ZooKeeper ${recovery.zookeeper} ms is near 503 s`);
  const phases = await page.locator('[data-testid=compare-mode][data-mode=zookeeper] rect[data-phase]').count();
  assert.equal(phases, 6, 'six phases drawn for ZooKeeper mode');
  await page.getByTestId('compare-sweep').click();
  await waitFor(page, async () => (await page.locator('[data-testid=compare-sweep-result] tbody tr').count()) === 5, 30000, 'the sweep table');
  await screenshot(page, '22-comparison');
  assert.deepEqual(problems, []);
  await context.close();
});
