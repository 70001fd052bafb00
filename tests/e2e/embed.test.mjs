// End-to-end: KRaft Lab embedded in other pages (docs/embedding.md). The demo host page the
// site ships (embed-demo.html) with its two embeds and API buttons; the allow-list; the
// resize protocol; links that are refused with their reason; the click-to-start poster; a
// lesson step and the comparison by link; the share builder's space-time diagram as Mermaid;
// and what an embed costs to load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { deflateRawSync, gzipSync } from 'node:zlib';
import { suite, openPage, screenshot, recordBodies } from './harness.mjs';
import { waitFor } from './page.mjs';

const env = suite();

const ENGINE = Number(/ENGINE_VERSION: u32 = (\d+)/.exec(readFileSync(new URL('../../crates/core/src/lib.rs', import.meta.url), 'utf8'))[1]);

/** `v2.` + base64url of raw DEFLATE: what the app and kraftlab-embed.js pack. */
function pack(text) {
  return 'v2.' + deflateRawSync(Buffer.from(text)).toString('base64url');
}

const SCENARIO = 'cluster kraft voters=3 brokers=1 seed=7\nrun until leader within 10s\nrun 1s\ncrash leader\nrun until leader within 15s\n';

/** Every node of the cluster in `frame` (a page or a frame locator's owner frame). */
async function frameNodes(frame) {
  return frame.evaluate(() =>
    [...document.querySelectorAll('[data-testid^="node-"]')]
      .filter((el) => /^node-(\d+|zk\d+)$/.test(el.dataset.testid))
      .map((el) => ({ id: el.dataset.testid.slice(5), role: el.dataset.role, status: el.dataset.status })),
  );
}

/** The frame whose URL contains `part`, once it has a cluster picture. */
async function appFrame(page, part) {
  return waitFor(
    page,
    async () => {
      const f = page.frames().find((f) => f.url().includes(part) && f.url().includes('index.html'));
      return f && (await f.$('[data-testid="cluster-view"]')) ? f : null;
    },
    30000,
    `the embed ${part} to load the app`,
  );
}

/** The JSON lines the demo page logged from its embeds. */
async function demoLog(page) {
  const text = await page.locator('#api-log').textContent();
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

test('the demo page: both embeds load and play, the API drives one and reads its state, resize and events arrive', async () => {
  const { page, problems, context } = await openPage(env.browser, `${env.server.url}embed-demo.html`);
  // (a) the page's own scenario text became a live embed: the script's recorded run plays.
  const a = await appFrame(page, 'scenario=');
  assert.equal(await page.locator('iframe#demo-frame-a').count(), 1);
  await a.locator('[data-testid="quorum-status"]').waitFor();
  // (b) a fresh cluster, allowed to be driven by this page's origin.
  const b = await appFrame(page, 'origins=');
  await waitFor(page, async () => (await frameNodes(b)).some((n) => n.role === 'leader'), 30000, 'a leader in embed b');
  await waitFor(page, async () => (await demoLog(page)).some((m) => m.type === 'event' && m.name === 'ready'), 10000, 'the ready event');
  await waitFor(page, async () => (await demoLog(page)).some((m) => m.type === 'resize' && m.height > 100), 10000, 'a resize message');
  await waitFor(page, async () => (await demoLog(page)).some((m) => m.type === 'event' && m.name === 'leader-changed'), 10000, 'a leader-changed event');

  // Pause, then read the state: it is paused and names the leader the picture shows.
  await page.locator('#api-pause').click();
  await waitFor(page, async () => /Pause: done/.test(await page.locator('#api-status').textContent()), 10000, 'the pause to be done');
  await page.locator('#api-state').click();
  const state = await waitFor(
    page,
    async () => (await demoLog(page)).reverse().find((m) => m.type === 'state' && m.playing === false),
    10000,
    'a paused state',
  );
  assert.equal(state.kraftlab, 1);
  const leader = (await frameNodes(b)).find((n) => n.role === 'leader');
  assert.equal(String(state.leader), leader.id, 'state.leader is the leader the picture shows');
  assert.ok(state.epoch >= 1 && state.nodes.length === 6 && /LeaderId/.test(state.quorum));
  const frozen = state.time_ms;
  await page.waitForTimeout(700);
  await page.locator('#api-state').click();
  await page.waitForTimeout(300);
  const again = (await demoLog(page)).reverse().find((m) => m.type === 'state');
  assert.equal(again.time_ms, frozen, 'paused means virtual time stands still');

  // A scenario command through the API: the leader goes down, the embed says so.
  await page.locator('#api-crash').click();
  await waitFor(page, async () => (await frameNodes(b)).some((n) => n.id === leader.id && n.status === 'crashed'), 10000, 'the leader crashed by the API');
  await page.locator('#api-play').click();
  await waitFor(page, async () => (await demoLog(page)).some((m) => m.type === 'event' && m.name === 'node-crashed' && m.node === leader.id), 10000, 'the node-crashed event');
  // Seek moves the embed's clock.
  await page.locator('#api-seek').click();
  await waitFor(page, async () => /Seek to 5 s: done/.test(await page.locator('#api-status').textContent()), 10000, 'the seek');
  await screenshot(page, 'embed-01-demo');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a message from an origin not on the allow-list, or a malformed one, does nothing and is counted', async () => {
  const url = `${env.server.url}index.html?embed&origins=https://docs.example#scenario=${pack(SCENARIO)}`;
  const { page, problems, context } = await openPage(env.browser, url);
  await page.getByTestId('cluster-view').waitFor();
  await page.waitForFunction(() => document.documentElement.dataset.kraftlabIgnored === '0');
  const playing = async () => (await page.getByTestId('play-pause').getAttribute('aria-label')) || (await page.getByTestId('play-pause').textContent());
  const before = await playing();
  // This page's own origin is not https://docs.example: the pause is not obeyed.
  await page.evaluate(() => {
    window.postMessage({ kraftlab: 1, type: 'pause' }, '*');
    window.postMessage({ kraftlab: 1, type: 'command', text: 'crash leader' }, '*');
    window.postMessage('not even an object', '*');
  });
  await page.waitForFunction(() => document.documentElement.dataset.kraftlabIgnored === '3');
  assert.equal(await playing(), before, 'still playing');
  assert.ok((await page.locator('[data-testid^="node-"][data-status="crashed"]').count()) <= 1, 'no second crash was obeyed');
  assert.deepEqual(problems, []);
  await context.close();

  // Allowed, but malformed: counted too, and the embed lives on.
  const host = await openPage(env.browser, `${env.server.url}embed-demo.html`);
  const b = await appFrame(host.page, 'origins=');
  await host.page.evaluate(() => {
    const w = document.getElementById('demo-frame-b').contentWindow;
    w.postMessage({ kraftlab: 1, type: 'seek', ms: -5 }, '*');
    w.postMessage({ kraftlab: 1, type: 'no-such-thing' }, '*');
    w.postMessage({ kraftlab: 2, type: 'pause' }, '*');
    w.postMessage({ kraftlab: 1, type: 'command', text: 42 }, '*');
  });
  await waitFor(host.page, async () => (await b.evaluate(() => document.documentElement.dataset.kraftlabIgnored)) === '4', 10000, 'four ignored messages');
  assert.deepEqual(host.problems, []);
  await host.context.close();
});

test('a damaged link and a link from a future engine show their messages; the reader may open the latter with this engine', async () => {
  const damaged = await openPage(env.browser, `${env.server.url}index.html?embed#run=v2.@@@@`);
  await damaged.page.getByTestId('link-error').waitFor();
  assert.match(await damaged.page.getByTestId('link-error').textContent(), /damaged/);
  assert.equal(await damaged.page.getByTestId('open-current-engine').count(), 0);
  await damaged.context.close();

  const future = pack(`# engine ${ENGINE + 95}\ncluster kraft voters=3 brokers=1 seed=3\nat 2s crash 3000\n`);
  const { page, problems, context } = await openPage(env.browser, `${env.server.url}index.html?embed#run=${future}`);
  await page.getByTestId('link-error').waitFor();
  const text = await page.getByTestId('link-error').textContent();
  assert.match(text, new RegExp(`engine version ${ENGINE + 95} \\(a newer KRaft Lab`));
  assert.match(await page.getByTestId('link-error-text').textContent(), /at 2s crash 3000/);
  await screenshot(page, 'embed-02-future-engine');
  await page.getByTestId('open-current-engine').click();
  await page.waitForURL(/engine=current/);
  await page.getByTestId('cluster-view').waitFor();
  await waitFor(page, async () => (await frameNodes(page)).some((n) => n.id === '3000' && n.status === 'crashed'), 30000, 'the run to replay on this engine');
  assert.equal(await page.getByTestId('link-error').count(), 0);
  assert.deepEqual(problems, []);
  await context.close();

  // A hand-written scenario that does not parse: the error and the text it held.
  const bad = await openPage(env.browser, `${env.server.url}index.html?embed#scenario=${pack('cluster kraft voters=3\nfrobnicate the leader\n')}`);
  await bad.page.getByTestId('link-error').waitFor();
  assert.match(await bad.page.getByTestId('link-error').textContent(), /line 2/);
  assert.match(await bad.page.getByTestId('link-error-text').textContent(), /frobnicate the leader/);
  assert.deepEqual(bad.problems, []);
  await bad.context.close();
});

test('a click-to-start embed is a still poster that costs a few KB until clicked; then the scenario plays', async () => {
  const { page, problems, context } = await openPage(env.browser, 'about:blank');
  const bodies = recordBodies(page);
  await page.goto(`${env.server.url}embed.html?start=click&panels=picture#scenario=${pack(SCENARIO)}`);
  await page.locator('#go').waitFor();
  await page.waitForLoadState('networkidle');
  const gz = (list) => list.reduce((s, b) => s + gzipSync(b.body, { level: 9 }).length, 0);
  const poster = gz(bodies);
  assert.ok(!bodies.some((b) => b.url.endsWith('.wasm')), 'the poster fetches no WebAssembly');
  assert.ok(poster < 8 * 1024, `the poster costs ${poster} bytes gzip`);
  await screenshot(page, 'embed-03-poster');
  await page.locator('#go').click();
  await page.getByTestId('cluster-view').waitFor();
  await page.waitForLoadState('networkidle');
  await waitFor(page, async () => (await frameNodes(page)).some((n) => n.status === 'crashed' || n.role === 'leader'), 30000, 'the recorded scenario to play');
  const started = gz(bodies);
  console.log(`embed (one scenario, picture only): poster ${(poster / 1024).toFixed(1)} KB gzip; started ${(started / 1024).toFixed(1)} KB gzip`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a lesson step, an exercise and the comparison embed by link; the host hears the step and the solved exercise', async () => {
  const { page, problems, context } = await openPage(env.browser, `${env.server.url}embed-demo.html`);
  await page.evaluate((src) => {
    window.__heard = [];
    window.addEventListener('message', (e) => window.__heard.push(e.data));
    const f = document.createElement('iframe');
    f.id = 'lesson-frame';
    f.style.width = '900px';
    f.style.height = '600px';
    f.src = src;
    document.body.prepend(f);
  }, `index.html?embed&panels=picture,quorum#/lessons/why-a-quorum/2`);
  const lesson = await waitFor(page, async () => page.frames().find((f) => f.url().includes('why-a-quorum')), 10000, 'the lesson frame');
  await lesson.waitForSelector('[data-testid="lesson-step"][data-step="2"]');
  await lesson.waitForSelector('[data-testid="cluster-view"]');
  await lesson.waitForSelector('[data-testid="quorum-status"]');
  await waitFor(page, async () => page.evaluate(() => window.__heard.some((m) => m && m.type === 'event' && m.name === 'lesson-step' && m.lesson === 'why-a-quorum' && m.step === 2)), 10000, 'the lesson-step event');

  // An exercise step, solved through the host API: the host hears exercise-solved.
  await page.evaluate((src) => {
    const f = document.createElement('iframe');
    f.id = 'exercise-frame';
    f.style.width = '900px';
    f.style.height = '600px';
    f.src = src + '&origins=' + location.origin + '#/lessons/controller-failover-test/2';
    document.body.prepend(f);
  }, 'index.html?embed');
  const exercise = await waitFor(page, async () => page.frames().find((f) => f.url().includes('controller-failover-test')), 10000, 'the exercise frame');
  await exercise.waitForSelector('[data-testid="lesson-step"][data-step="2"]');
  const replies = await page.evaluate(async () => {
    const f = document.getElementById('exercise-frame');
    const out = [];
    for (const text of ['run until leader within 10s', 'crash old', 'run until leader within 10s', 'restart old', 'run until old is follower within 10s']) {
      out.push(await window.KRaftLab.send(f, { type: 'command', text }));
    }
    return out;
  });
  assert.ok(replies.every((r) => r.type === 'result' && r.ok), JSON.stringify(replies));
  await waitFor(page, async () => page.evaluate(() => window.__heard.some((m) => m && m.type === 'event' && m.name === 'exercise-solved' && m.lesson === 'controller-failover-test')), 10000, 'the exercise-solved event');
  assert.deepEqual(problems, []);
  await context.close();

  const compare = await openPage(env.browser, `${env.server.url}index.html?embed&fault=crash-broker&partitions=10000#/compare`);
  await compare.page.getByTestId('compare-fault').waitFor();
  assert.equal(await compare.page.getByTestId('compare-fault').inputValue(), 'crash-broker');
  assert.equal(await compare.page.getByTestId('compare-partitions').inputValue(), '10000');
  await compare.page.locator('[data-testid="compare-mode"][data-mode="kraft"]').waitFor({ timeout: 60000 });
  assert.deepEqual(compare.problems, []);
  await compare.context.close();
});

test('the share builder draws the run as a space-time diagram whose Mermaid text is a sequence diagram', async () => {
  const run = `# engine ${ENGINE}\ncluster kraft voters=3 brokers=1 seed=7\nat 3s crash 3001\nat 6s restart 3001\n`;
  const { page, problems, context } = await openPage(env.browser, `${env.server.url}share.html?engine=${ENGINE}#run=${pack(run)}`);
  await page.waitForFunction(() => document.body.dataset.ready === 'true');
  assert.match(await page.getByTestId('embed-snippet').inputValue(), /<iframe src="[^"]*embed\.html\?[^"]*#run=v2\./);
  await page.getByTestId('diagram-draw').click();
  const mermaid = await waitFor(page, async () => page.getByTestId('diagram-mermaid').inputValue(), 60000, 'the Mermaid text');
  const lines = mermaid.split('\n').filter((l) => l.trim() !== '');
  assert.equal(lines[0].trim(), 'sequenceDiagram');
  const participants = new Set();
  let arrows = 0;
  for (const line of lines.slice(1)) {
    const l = line.trim();
    let m;
    if ((m = /^participant (\w+)( as .+)?$/.exec(l))) {
      participants.add(m[1]);
    } else if ((m = /^(\w+) ?(->>|-x|-->>|--x) ?(\w+): .+$/.exec(l))) {
      arrows += 1;
      assert.ok(participants.has(m[1]) && participants.has(m[3]), `both ends of "${l}" are declared participants`);
    } else {
      assert.match(l, /^(Note (over|left of|right of) [\w,]+: .+|%%.*|rect .+|end|autonumber)$/, `a sequenceDiagram line: "${l}"`);
    }
  }
  assert.ok(participants.size >= 4, 'controllers and the broker are lanes');
  assert.ok(arrows > 5, 'messages are drawn');
  assert.ok(/crash/i.test(mermaid), 'the crash is marked');
  await page.getByTestId('diagram-svg').waitFor();
  await screenshot(page, 'embed-04-diagram');
  assert.deepEqual(problems, []);
  await context.close();
});
