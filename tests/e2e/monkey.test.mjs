// Monkey test: 2,000 random UI actions, chosen from a seeded generator so a failure can be
// replayed, must cause no panic, no uncaught error and no console error or warning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suite, openPage, screenshot } from './harness.mjs';
import { setRange } from './page.mjs';

const ACTIONS = Number(process.env.MONKEY_ACTIONS || 2000);
const SEED = Number(process.env.MONKEY_SEED || 20261121);

// mulberry32: a tiny seeded generator.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const env = suite();

test(`${ACTIONS} random UI actions cause no panic and no console error`, async () => {
  const { page, problems, context } = await openPage(env.browser, `${env.server.url}?seed=${SEED % 1000}&speed=3`);
  await page.getByTestId('cluster-view').waitFor();
  const random = rng(SEED);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const keys = [' ', '.', 'ArrowRight', '+', '-', '[', ']', 'l', 'w', 'k', 'r', 'h', 'p', 'n', 's', 'm', '?', 'Escape', 'Tab', 'Enter'];
  const log = [];

  async function clickVisible(selector) {
    const all = page.locator(selector);
    const n = await all.count();
    if (n === 0) return false;
    const el = all.nth(Math.floor(random() * n));
    const box = await el.boundingBox();
    if (!box) return false;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    return true;
  }

  page.setDefaultTimeout(2000);
  for (let i = 0; i < ACTIONS; i++) {
    const kind = pick(['node', 'menu', 'key', 'key', 'button', 'timeline', 'speed', 'message', 'dialog', 'wait', 'route', 'lesson', 'lesson', 'console']);
    log.push(kind);
    try {
      await act(kind);
    } catch (e) {
      // An element can vanish between finding and using it (a dialog closed, a message
      // arrived): that is the monkey's race, not the app's. A frozen page is the app's.
      if (e.name !== 'TimeoutError' && !/detached|not attached|Target closed/.test(e.message)) throw e;
      const alive = await Promise.race([
        page.evaluate(() => true),
        new Promise((resolve) => setTimeout(() => resolve(false), 5000)),
      ]);
      assert.ok(alive, `the page stopped responding after action ${i} (${kind}; seed ${SEED})`);
    }
    if (problems.length || (await page.locator('#panic-overlay').count())) {
      await screenshot(page, 'monkey-failure');
      assert.fail(`after action ${i} (${kind}; seed ${SEED}): ${problems.join(' | ') || 'panic overlay shown'}`);
    }
  }

  async function act(kind) {
    switch (kind) {
      case 'node':
        await clickVisible('[data-testid^="node-"] .node-body');
        break;
      case 'menu':
        await clickVisible('[data-testid=node-menu] button:not([disabled]), [data-testid=node-menu] select');
        break;
      case 'key':
        await page.keyboard.press(pick(keys));
        break;
      case 'button':
        await clickVisible('.topbar button, .controls button:not([disabled])');
        break;
      case 'timeline': {
        const max = Number(await page.getByTestId('timeline').getAttribute('max').catch(() => '0')) || 0;
        await setRange(page, 'timeline', Math.floor(random() * (max + 1)));
        break;
      }
      case 'speed':
        await setRange(page, 'speed', Math.floor(random() * 301) - 200);
        break;
      case 'message': {
        // Messages are drawn on a canvas: the page says where they are.
        const points = await page.evaluate(() => Array.from(window.wasmBindings.message_points()));
        if (points.length) {
          const i = 2 * Math.floor(random() * (points.length / 2));
          await page.mouse.click(points[i], points[i + 1]);
          if (random() < 0.5) await clickVisible('[data-testid=action-drop]');
        }
        break;
      }
      case 'dialog':
        if (await page.locator('[data-testid=partition-dialog]').count()) {
          await clickVisible('[data-testid=partition-dialog] input[type=radio]');
          if (random() < 0.5) await clickVisible('[data-testid=partition-apply]');
        } else if (await page.locator('[data-testid=new-cluster-dialog]').count()) {
          await page.getByTestId('new-voters').fill(String(1 + Math.floor(random() * 7)));
          await page.getByTestId('new-brokers').fill(String(Math.floor(random() * 6)));
          await clickVisible('[data-testid=new-cluster-create]');
        } else {
          await clickVisible('.modal button, .backdrop');
        }
        break;
      case 'route': {
        // Roam the sections and the lessons, at any step (a step past the end included).
        const lessons = ['why-a-quorum', 'electing-the-controller', 'split-votes', 'replication-by-fetch', 'leader-failure', 'divergence-and-truncation', 'check-quorum-handover-prevote', 'cluster-metadata', 'broker-lifecycle', 'snapshots-and-catching-up', 'combined-vs-isolated', 'no-such-lesson'];
        const hash = pick(['#/', '#/lessons', '#/compare', `#/lessons/${pick(lessons)}`, `#/lessons/${pick(lessons)}/${1 + Math.floor(random() * 12)}`]);
        await page.evaluate((h) => { location.hash = h; }, hash);
        break;
      }
      case 'lesson':
        await clickVisible('.lesson button:not([disabled]), .lesson .chip, [data-testid^=lesson-link-], .lesson-nav a');
        break;
      case 'console':
        if (await page.getByTestId('console-input').count()) {
          const line = pick(['crash leader', 'restart 3000', 'run 2s', 'run until leader within 5s', 'show status', 'show log 3000', 'write 3', 'isolate follower', 'heal', 'name leader as x', 'expect leader == x', 'crahs 9', 'run until never within 1s', '', 'cluster kraft voters=3 brokers=1 seed=5']);
          await page.getByTestId('console-input').fill(line);
          await page.getByTestId('console-input').press('Enter');
        }
        break;
      default:
        await page.waitForTimeout(20 + Math.floor(random() * 80));
    }
  }
  await page.waitForTimeout(500);
  await screenshot(page, 'monkey-end');
  assert.equal(await page.locator('#panic-overlay').count(), 0, 'no panic');
  await page.evaluate(() => { location.hash = '#/'; });
  await page.getByTestId('cluster-view').waitFor();
  assert.ok(await page.getByTestId('cluster-view').isVisible(), 'the app is still there');
  assert.deepEqual(problems, []);
  await context.close();
});
