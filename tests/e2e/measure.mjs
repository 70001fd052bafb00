// Measures the app's figures in Debian's Chromium (run: node tests/e2e/measure.mjs after a
// release build). Prints:
//  - first load: every file of dist/ compressed (gzip -9 and brotli), and the total;
//  - script time per frame at the default cluster (3 controllers, 3 brokers), median and p95,
//    from the app's Performance-API probe (performance.now() around each frame, ended after
//    Leptos's DOM updates);
//  - main-thread CPU while playing, paused and hidden, from Chrome's Performance.getMetrics.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { serveDist, launch } from './harness.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(root, 'dist');

function firstLoad() {
  let gz = 0;
  let br = 0;
  let raw = 0;
  const rows = [];
  for (const f of readdirSync(dist)) {
    const p = join(dist, f);
    if (!statSync(p).isFile()) continue;
    const data = readFileSync(p);
    const g = gzipSync(data, { level: 9 }).length;
    const b = brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    raw += data.length;
    gz += g;
    br += b;
    rows.push(`  ${f.padEnd(48)} ${String(data.length).padStart(9)} raw ${String(g).padStart(8)} gzip ${String(b).padStart(8)} brotli`);
  }
  console.log('First load (every file of dist/):');
  console.log(rows.join('\n'));
  console.log(`  total: ${(raw / 1024).toFixed(1)} KB raw, ${(gz / 1024).toFixed(1)} KB gzip, ${(br / 1024).toFixed(1)} KB brotli`);
}

function stats(values) {
  const v = [...values].sort((a, b) => a - b);
  const q = (p) => v[Math.min(v.length - 1, Math.floor(p * v.length))];
  return { n: v.length, median: q(0.5), p95: q(0.95), max: v[v.length - 1] };
}

async function cpu(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
  return { task: m.TaskDuration, script: m.ScriptDuration };
}

async function cpuOver(cdp, page, ms) {
  const a = await cpu(cdp);
  await page.waitForTimeout(ms);
  const b = await cpu(cdp);
  return { task: ((b.task - a.task) * 1000) / (ms / 1000), script: ((b.script - a.script) * 1000) / (ms / 1000) };
}

firstLoad();
const server = await serveDist();
const browser = await launch();
try {
  for (const [label, query] of [
    ['default speed (0.25x)', '?seed=42'],
    ['speed 1x', '?seed=42&speed=1'],
    ['speed 10x', '?seed=42&speed=10'],
  ]) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(server.url + query);
    await page.getByTestId('cluster-view').waitFor();
    await page.waitForTimeout(3000);
    await page.evaluate(() => window.wasmBindings.clear_frame_times());
    await page.waitForTimeout(8000);
    const times = await page.evaluate(() => Array.from(window.wasmBindings.frame_times()));
    const s = stats(times);
    console.log(`Script time per frame, ${label}: median ${s.median.toFixed(2)} ms, p95 ${s.p95.toFixed(2)} ms, max ${s.max.toFixed(2)} ms over ${s.n} frames`);
    await context.close();
  }

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(server.url + '?seed=42');
  await page.getByTestId('cluster-view').waitFor();
  await page.waitForTimeout(2000);
  const playing = await cpuOver(cdp, page, 5000);
  await page.getByTestId('play-pause').click();
  await page.waitForTimeout(500);
  const paused = await cpuOver(cdp, page, 5000);
  await page.getByTestId('play-pause').click();
  // Headless Chromium keeps a background tab "visible", so hide the page the way the browser
  // would announce it: visibilityState reads "hidden" and visibilitychange fires. The app is
  // playing (not paused) and must stop its frame loop by itself.
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await page.waitForTimeout(500);
  const state = await page.evaluate(() => document.visibilityState);
  const hidden = await cpuOver(cdp, page, 5000);
  await page.evaluate(() => {
    delete document.visibilityState;
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await page.waitForTimeout(1000);
  const resumed = await cpuOver(cdp, page, 2000);
  console.log(`  after the page shows again the loop resumes: ${resumed.task.toFixed(1)} ms/s`);
  console.log(`Main-thread CPU (ms of task time per second): playing ${playing.task.toFixed(1)} (script ${playing.script.toFixed(1)}), paused ${paused.task.toFixed(2)} (script ${paused.script.toFixed(2)}), hidden [visibilityState=${state}] ${hidden.task.toFixed(2)} (script ${hidden.script.toFixed(2)})`);
  await context.close();

  // Scale: 1,000,000 partitions (10,000 topics x 100) created from the metadata panel and
  // replayed by all six nodes, in the page: how long, how smooth, how much memory.
  for (const [topics, partitions] of [[1000, 100], [10000, 100]]) {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const p = await ctx.newPage();
    await p.goto(server.url + '?seed=9&speed=1');
    await p.waitForFunction(() => document.querySelectorAll('[data-broker-state="RUNNING"]').length === 3, null, { timeout: 60000 });
    await p.getByTestId('bulk-count').fill(String(topics));
    await p.getByTestId('bulk-count').dispatchEvent('change');
    await p.getByTestId('bulk-partitions').fill(String(partitions));
    await p.getByTestId('bulk-partitions').dispatchEvent('change');
    await p.evaluate(() => window.wasmBindings.clear_frame_times());
    const want = topics * partitions;
    const began = Date.now();
    await p.getByTestId('create-topics').click();
    await p.waitForFunction(
      (n) => [...document.querySelectorAll('[data-testid="image-table"] tbody tr')].every((tr) => Number(tr.querySelectorAll('td')[5].textContent) === n),
      want,
      { timeout: 600000, polling: 250 },
    );
    const seconds = (Date.now() - began) / 1000;
    const s = stats(await p.evaluate(() => Array.from(window.wasmBindings.frame_times())));
    const wasm = (await p.evaluate(() => window.wasmBindings.wasm_memory_bytes())) / (1024 * 1024);
    const heap = (await p.evaluate(() => performance.memory?.usedJSHeapSize ?? 0)) / (1024 * 1024);
    console.log(`Scale, ${want} partitions (${topics} x ${partitions}) in the page: every image complete after ${seconds.toFixed(1)} s; frames median ${s.median.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms, max ${s.max.toFixed(1)} ms over ${s.n}; wasm memory ${wasm.toFixed(0)} MiB, JS heap ${heap.toFixed(0)} MiB`);
    await ctx.close();
  }
} finally {
  await browser.close();
  server.close();
}
