// End-to-end: the playground as a first-time visitor meets it (issue 16): the orientation
// card, a feed that keeps the story, safe time travel, ZooKeeper mode in every panel, a layout
// that holds still, truthful pictures and phone-sized controls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suite, openPage, screenshot } from './harness.mjs';
import { nodes, waitFor, leaderOf, setRange, clickNode } from './page.mjs';

const env = suite();

/** Virtual time on the clock, in ms. */
async function simMs(page) {
  return page.getByTestId('timeline').evaluate((el) => Number(el.value));
}

test('a first visit: a loading notice, then the orientation card while the run waits; remembered once dismissed', async () => {
  const context = await env.browser.newContext({ firstVisit: true, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const html = await (await fetch(env.server.url)).text();
  assert.match(html, /id="?boot"?[^>]*>.*Loading the simulator/s, 'the page says it is loading before the wasm arrives');
  await page.goto(`${env.server.url}?seed=42`);
  await page.getByTestId('orientation').waitFor();
  assert.equal(await page.locator('#boot').count(), 0, 'the loading notice is gone once the app runs');
  assert.match(await page.getByTestId('orientation').textContent(), /UNATTACHED.*PROSPECTIVE.*CANDIDATE/s);
  await page.waitForTimeout(600);
  assert.equal(await simMs(page), 0, 'the run waits while the card is read');
  assert.equal(await page.getByTestId('orientation-lesson').getAttribute('href'), '#/lessons/why-a-quorum');
  await screenshot(page, 'newcomer-01-orientation');
  await page.getByTestId('orientation-close').click();
  await waitFor(page, async () => (await simMs(page)) > 0, 5000, 'the run to play once the card is closed');
  const glossary = page.getByTestId('glossary');
  assert.match(await glossary.textContent(), /PROSPECTIVE[\s\S]*LEO[\s\S]*High watermark/);
  // The words under a node explain themselves on hover, in the glossary's words.
  const leader = await waitFor(page, async () => leaderOf(await nodes(page)), 30000, 'a leader');
  const words = page.getByTestId(`node-${leader.id}`).locator('.node-words');
  assert.match(await words.first().locator('title').textContent(), /^LEADER \/ FOLLOWER: The elected voter/);
  assert.match(await words.nth(1).locator('title').textContent(), /^Active controller: The controller that leads/);
  await page.reload();
  await page.getByTestId('cluster-view').waitFor();
  await page.waitForTimeout(500);
  assert.equal(await page.getByTestId('orientation').count(), 0, 'a second visit goes straight to the run');
  // The help dialog brings it back.
  await page.getByTestId('help').click();
  await page.getByTestId('show-orientation').click();
  await page.getByTestId('orientation').waitFor();
  await context.close();
});

test('the feed tells the story: the crash line is still in view 20 s of virtual time later; routine lines on demand', async () => {
  const { page, problems } = await openPage(env.browser, `${env.server.url}?seed=42&speed=4`);
  const first = await waitFor(page, async () => leaderOf(await nodes(page)), 30000, 'a first leader');
  await page.keyboard.press('k');
  const crashedAt = await simMs(page);
  await waitFor(page, async () => (await simMs(page)) > crashedAt + 20000, 40000, '20 s of virtual time after the crash');
  const feed = page.getByTestId('event-feed');
  assert.equal(await feed.getAttribute('data-level'), 'story');
  const line = feed.locator('li', { hasText: `${first.id} crashed` });
  assert.equal(await line.count(), 1, 'the crash is in the feed');
  const [box, lineBox] = [await feed.boundingBox(), await line.boundingBox()];
  assert.ok(lineBox.y >= box.y - 1 && lineBox.y + lineBox.height <= box.y + box.height + 1, `the crash line is within the feed's view (${JSON.stringify({ box, lineBox })})`);
  assert.equal(await feed.locator('li.routine, li.detail').count(), 0, 'no details or routine lines at the story level');
  assert.ok((await feed.locator('li', { hasText: 'won the election' }).count()) >= 1, 'the election is told');
  const folded = Number((await page.getByTestId('feed-folded').textContent()).match(/(\d+) folded/)[1]);
  assert.ok(folded > 10, `votes, follows, appends and HW steps are folded (${folded})`);
  await page.getByTestId('feed-level').selectOption('detail');
  await waitFor(page, async () => (await feed.locator('li.detail').count()) > 0, 3000, 'details on demand');
  assert.equal(await feed.locator('li.routine').count(), 0);
  await page.getByTestId('feed-level').selectOption('all');
  await waitFor(page, async () => (await feed.locator('li.routine').count()) > 0, 3000, 'routine lines on demand');
  assert.match(await feed.locator('li.routine').first().textContent(), /appended|high watermark/);
  assert.deepEqual(problems, []);
});

test('time travel: acting in the past says what it drops and offers Undo; shortcuts work on the scrubber; faults are marked', async () => {
  const { page, problems } = await openPage(env.browser, `${env.server.url}?seed=42&speed=4`);
  await waitFor(page, async () => (await simMs(page)) > 4000, 30000, '4 s of run');
  const first = leaderOf(await nodes(page));
  await page.keyboard.press('k');
  await waitFor(page, async () => (await page.locator('.mark-fault').count()) === 1, 3000, 'a fault mark on the timeline');
  await waitFor(page, async () => {
    const l = leaderOf(await nodes(page));
    return l && l.id !== first.id;
  }, 30000, 'a new leader');
  // Focus the scrubber and use the shortcuts there: Space pauses.
  await page.getByTestId('timeline').focus();
  await page.keyboard.press(' ');
  assert.equal(await page.getByTestId('play-pause').getAttribute('aria-pressed'), 'false', 'Space paused from the scrubber');
  const horizon = Number(await page.getByTestId('timeline').getAttribute('max'));
  await setRange(page, 'timeline', 3000);
  // W on the focused scrubber writes, in the past (before the crash): a fork.
  await page.getByTestId('timeline').focus();
  await page.keyboard.press('w');
  const toast = page.getByTestId('toast');
  await waitFor(page, async () => /dropped/.test((await toast.textContent()) ?? ''), 3000, 'the fork to be announced');
  assert.match(await toast.textContent(), /the 1 action in it/);
  assert.equal(await page.locator('.mark-fault').count(), 0, 'the dropped crash left the timeline');
  await page.getByTestId('undo-fork').click();
  await waitFor(page, async () => Number(await page.getByTestId('timeline').getAttribute('max')) === horizon, 3000, 'the recorded future to come back');
  assert.equal(await page.locator('.mark-fault').count(), 1, 'the crash is back on the timeline');
  assert.match(await toast.textContent(), /undone/);
  // Seeking back after the undo shows the feed of that moment.
  await setRange(page, 'timeline', 2500);
  await waitFor(page, async () => (await page.getByTestId('event-feed').locator('li').count()) > 0, 3000, 'the feed at 3 s');
  assert.deepEqual(problems, []);
});

test('a failover moves nothing on the page: cumulative layout shift stays under 0.1', async () => {
  const { page, problems } = await openPage(env.browser, `${env.server.url}?seed=42&speed=1`);
  const first = await waitFor(page, async () => leaderOf(await nodes(page)), 30000, 'a first leader');
  await page.waitForTimeout(1000);
  await page.evaluate(() => {
    window.__cls = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value;
    }).observe({ type: 'layout-shift' });
  });
  await page.keyboard.press('k');
  await waitFor(page, async () => {
    const l = leaderOf(await nodes(page));
    return l && l.id !== first.id;
  }, 30000, 'a new leader');
  await page.waitForTimeout(2500);
  await screenshot(page, 'newcomer-02-failover');
  const cls = await page.evaluate(() => window.__cls);
  assert.ok(cls < 0.1, `cumulative layout shift during the failover: ${cls}`);
  assert.deepEqual(problems, []);
});

test('pictures say the truth: a paused old leader is labelled stale; a cut goes around the nodes it does not touch', async () => {
  const { page, problems } = await openPage(env.browser, `${env.server.url}?seed=42&speed=2`);
  const first = await waitFor(page, async () => leaderOf(await nodes(page)), 30000, 'a first leader');
  await clickNode(page, first.id);
  await page.getByTestId('pause-length').selectOption('20');
  await page.getByTestId('action-pause').click();
  assert.equal(await page.getByTestId('node-menu').count(), 0, 'the menu closed after the action');
  await waitFor(page, async () => {
    const l = (await nodes(page)).find((n) => n.role === 'leader' && n.id !== first.id);
    return l && l.epoch > first.epoch;
  }, 30000, 'a new leader while the old one is paused');
  const label = await page.getByTestId(`node-${first.id}`).locator('.node-role').textContent();
  assert.match(label, /^STALE LEADER e\d+$/, 'the paused old leader only thinks it leads');
  assert.match(await page.getByTestId(`node-${first.id}`).locator('.node-meta').textContent(), /THINKS IT LEADS/);
  // Isolate a controller: its cuts to the brokers must not cross any other node.
  await page.keyboard.press('Escape');
  const other = (await nodes(page)).find((n) => /^\d+$/.test(n.id) && Number(n.id) >= 3000 && n.id !== first.id);
  await clickNode(page, other.id);
  await page.getByTestId('action-isolate').click();
  await waitFor(page, async () => (await page.locator('.cut path').count()) > 0, 5000, 'cuts drawn');
  const crossings = await page.evaluate(() => {
    const centres = [...document.querySelectorAll('[data-testid^="node-"] .node-body')].map((b) => {
      const id = b.closest('[data-testid]').dataset.testid.slice(5);
      const x = b.tagName === 'rect' ? Number(b.getAttribute('x')) + Number(b.getAttribute('width')) / 2 : Number(b.getAttribute('cx'));
      const y = b.tagName === 'rect' ? Number(b.getAttribute('y')) + Number(b.getAttribute('height')) / 2 : Number(b.getAttribute('cy'));
      return { id, x, y, r: b.tagName === 'rect' ? Number(b.getAttribute('width')) / 2 : Number(b.getAttribute('r')) };
    });
    const bad = [];
    for (const path of document.querySelectorAll('.cut path')) {
      const len = path.getTotalLength();
      const pts = Array.from({ length: 40 }, (_, i) => path.getPointAtLength((len * (i + 0.5)) / 40));
      const ends = [pts[0], pts[pts.length - 1]];
      for (const c of centres) {
        const endpoint = ends.some((e) => Math.hypot(e.x - c.x, e.y - c.y) < c.r + 2);
        if (endpoint) continue;
        if (pts.some((p) => Math.hypot(p.x - c.x, p.y - c.y) < c.r)) bad.push(`${path.getAttribute('d')} crosses node ${c.id}`);
      }
    }
    return bad;
  });
  assert.deepEqual(crossings, []);
  assert.deepEqual(problems, []);
});

test('ZooKeeper mode in every panel: a created topic appears in the metadata panel and the znode log; Write says why not', async () => {
  const { page, problems } = await openPage(env.browser, `${env.server.url}?seed=3&speed=4`);
  await page.getByTestId('new-cluster').click();
  await page.getByTestId('new-mode-zk').check();
  await page.getByTestId('new-cluster-create').click();
  await waitFor(page, async () => Object.values(await nodes(page)).some((n) => n.role === 'zk-controller'), 40000, 'a controller broker');
  await page.getByTestId('topic-name').fill('orders');
  await page.getByTestId('create-topic').click();
  const panel = page.getByTestId('metadata-panel');
  await waitFor(page, async () => /ZooKeeper mode: 1 topic\(s\), 3 partition\(s\)/.test(await panel.textContent()), 20000, 'the topic in the metadata panel');
  assert.match(await panel.textContent(), /the controller is broker \d+ \(controller epoch \d+\)/);
  await waitFor(page, async () => /Topic: orders\tPartitionCount: 3/.test(await page.getByTestId('metadata-topics').textContent()), 20000, 'kafka-topics --describe from the znodes');
  await waitFor(page, async () => /Leader: \d/.test(await page.getByTestId('metadata-topics').textContent()), 20000, 'partition leaders from the state znodes');
  const znodes = await page.getByTestId('znode-log').textContent();
  assert.match(znodes, /\/brokers\/topics\/orders/);
  assert.match(znodes, /0x[0-9a-f]+/);
  await page.keyboard.press('w');
  await waitFor(page, async () => /znodes/.test((await page.getByTestId('toast').textContent()) ?? ''), 3000, 'Write to say why it does nothing');
  assert.match(await page.getByTestId('legend').locator('summary').textContent(), /ZooKeeper mode/, 'the legend for this mode');
  // The comparison's form shows the pause length only for the faults that pause something.
  const pause = page.locator('.only-pause');
  await page.getByTestId('compare-fault').selectOption('crash-controller');
  assert.equal(await pause.isVisible(), false);
  await page.getByTestId('compare-fault').selectOption('pause-zk');
  assert.equal(await pause.isVisible(), true);
  await screenshot(page, 'newcomer-03-zookeeper');
  assert.deepEqual(problems, []);
});

test('at 375 px: controls are at least 32 px tall, picture text at least 10 px, the header actions one row', async () => {
  const { page, problems } = await openPage(env.browser, `${env.server.url}?seed=42`, { width: 375, height: 740 });
  await waitFor(page, async () => leaderOf(await nodes(page)), 30000, 'a first leader');
  const small = await page.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll('button, select, input, a.btn')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || el.closest('details:not([open])')) continue;
      const box = el.type === 'checkbox' || el.type === 'radio' ? el.closest('label')?.getBoundingClientRect() ?? r : r;
      if (box.height < 32) out.push(`${el.dataset.testid || el.outerHTML.slice(0, 60)}: ${box.height.toFixed(1)} px`);
    }
    return out;
  });
  assert.deepEqual(small, [], 'every control is at least 32 px tall');
  const tiny = await page.evaluate(() => {
    const svg = document.querySelector('svg.cluster');
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return [...svg.querySelectorAll('text')]
      .filter((t) => t.textContent.trim() !== '')
      .map((t) => ({ text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize) * scale }))
      .filter((t) => t.px < 10)
      .map((t) => `${t.text}: ${t.px.toFixed(1)} px`);
  });
  assert.deepEqual(tiny, [], 'no text in the picture under 10 px');
  const tops = await page.evaluate(() => new Set([...document.querySelectorAll('.topbar .actions .btn')].map((b) => b.offsetTop)).size);
  assert.equal(tops, 1, 'the header actions stay on one row');
  const rows = await page.evaluate(() => new Set([...document.querySelectorAll('.topbar > *')].map((e) => Math.round(e.getBoundingClientRect().top))).size);
  assert.ok(rows <= 2, `the header is at most two rows (${rows})`);
  await screenshot(page, 'newcomer-04-phone');
  assert.deepEqual(problems, []);
});

test('the log view scrolls back through the whole log', async () => {
  const { page, problems } = await openPage(env.browser, `${env.server.url}?seed=42&speed=10`);
  await waitFor(page, async () => (await simMs(page)) > 15000, 30000, '15 s of run');
  await page.getByTestId('play-pause').click();
  const firstOffset = async () => Number(await page.getByTestId('log-view').locator('thead th').nth(1).textContent());
  assert.ok((await firstOffset()) > 14, 'the newest offsets at first');
  await setRange(page, 'log-window', 0);
  assert.equal(await firstOffset(), 0, 'offset 0 after scrolling back');
  assert.ok((await page.getByTestId('log-view').locator('td.cell-committed').count()) > 0, 'old records are drawn');
  await page.getByTestId('log-newest').click();
  assert.ok((await firstOffset()) > 14, 'back to the newest');
  assert.deepEqual(problems, []);
});

test('messages in flight are drawn and can be caught: pointing at one names it and slows the run; a click opens it', async () => {
  const { page, problems } = await openPage(env.browser, `${env.server.url}?seed=42`);
  await waitFor(page, async () => leaderOf(await nodes(page)), 30000, 'a first leader');
  await page.getByTestId('play-pause').click();
  await page.evaluate(() => document.activeElement?.blur());
  const points = () => page.evaluate(() => Array.from(window.wasmBindings.message_points()));
  // Step, paused, until a message is sent: the newest, drawn last (on top), has its whole
  // flight ahead of it.
  let at = [];
  for (let i = 0; i < 200; i++) {
    const before = (await points()).length;
    await page.keyboard.press('.');
    at = await points();
    if (at.length > before) break;
  }
  assert.ok(at.length >= 2, 'a message is in flight');
  const [x, y] = at.slice(-2);
  // It is drawn where the page says it is, and only there: the most opaque pixel within 6 px
  // of its point (a response is hollow), and of an empty corner. (One readback of the whole
  // canvas: the page would warn about repeated ones.)
  const box = await page.getByTestId('cluster-view').boundingBox();
  const [here, corner] = await page.evaluate((points) => {
    const c = document.querySelector('canvas.message-layer');
    const r = c.getBoundingClientRect();
    const k = c.width / r.width;
    const pixels = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const d = Math.round(6 * k);
    return points.map(([px, py]) => {
      const [cx, cy] = [Math.round((px - r.left) * k), Math.round((py - r.top) * k)];
      let most = 0;
      for (let yy = Math.max(0, cy - d); yy <= Math.min(c.height - 1, cy + d); yy++)
        for (let xx = Math.max(0, cx - d); xx <= Math.min(c.width - 1, cx + d); xx++)
          most = Math.max(most, pixels[4 * (yy * c.width + xx) + 3]);
      return most;
    });
  }, [[x, y], [box.x + 8, box.y + 8]]);
  assert.ok(here > 0, 'the message is painted at its point');
  assert.equal(corner, 0, 'nothing is painted in an empty corner');
  // Pointing at it names it and slows the run twentyfold: 50 ms of play under the pointer
  // move virtual time far less than 50 ms with the pointer elsewhere.
  await page.mouse.move(x, y);
  const picture = page.locator('.picture');
  const title = await waitFor(page, async () => picture.getAttribute('title'), 2000, 'the tooltip');
  // Any API in flight (KRaft's, or a broker's BrokerRegistration / BrokerHeartbeat): its name,
  // sender → receiver, then its fields.
  assert.match(title, /^[A-Z][A-Za-z]+ \d+ → \d+: [A-Z][A-Za-z]+ /);
  assert.match(await page.getByTestId('cluster-view').getAttribute('class'), /over-message/);
  // Play for `ms` of wall time, timed inside the page (Space pressed twice).
  const playFor = async (ms) => {
    const t0 = await simMs(page);
    await page.evaluate(async (ms) => {
      const space = () => window.dispatchEvent(new KeyboardEvent('keydown', { key: ' ' }));
      space();
      await new Promise((r) => setTimeout(r, ms));
      space();
    }, ms);
    return (await simMs(page)) - t0;
  };
  const held = await playFor(50);
  // A resting pointer lets go once the message has moved on.
  await page.keyboard.press(' ');
  await waitFor(page, async () => !/over-message/.test(await page.getByTestId('cluster-view').getAttribute('class')), 5000, 'the message to move on');
  await page.keyboard.press(' ');
  await page.mouse.move(box.x + 2, box.y + 2);
  const free = await playFor(50);
  assert.ok(held * 4 < free, `virtual time in 50 ms of play: ${held} ms held, ${free} ms free`);
  // A click opens the details of the message the tooltip names.
  const [hx, hy] = (await points()).slice(0, 2);
  await page.mouse.move(hx, hy);
  const named = await waitFor(page, async () => picture.getAttribute('title'), 2000, 'the tooltip');
  await page.mouse.click(hx, hy);
  const panel = page.getByTestId('message-panel');
  await panel.waitFor();
  assert.equal(await panel.locator('h3').textContent(), named.split(':')[0]);
  // From the keyboard: M pauses and opens a message in flight, again the next one. (Stepped
  // to two messages in flight; Space and M pressed in one go, so none arrives in between.)
  await page.keyboard.press('Escape');
  for (let i = 0; i < 200 && (await points()).length < 4; i++) await page.keyboard.press('.');
  assert.ok((await points()).length >= 4, 'two messages in flight');
  await page.evaluate(() => {
    for (const key of [' ', 'm']) window.dispatchEvent(new KeyboardEvent('keydown', { key }));
  });
  await panel.waitFor();
  assert.equal(await page.getByTestId('play-pause').getAttribute('aria-pressed'), 'false', 'M paused the run');
  const first = await panel.textContent();
  await page.keyboard.press('m');
  await waitFor(page, async () => (await panel.textContent()) !== first, 2000, 'M to open the next message');
  // Leaving the picture lets go.
  await page.mouse.move(box.x + 2, box.y + box.height + 40);
  await waitFor(page, async () => !(await picture.getAttribute('title')), 2000, 'the tooltip to clear');
  assert.deepEqual(problems, []);
});
