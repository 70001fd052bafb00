// The core benchmark (1 h of virtual time, 3 voters + 3 observers, a write every 100 ms) in
// wasm32, under Node and in Chromium, beside the native run: the ratio the design's budget
// holds to 2x native. Run by scripts/bench-core.sh after it builds both wasm-bindgen outputs.
// Usage: node tests/bench/core.mjs <nodejs dir> <web dir> <native seconds> <native figures> [hours]
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { launch } from '../e2e/harness.mjs';

const [nodeDir, webDir, nativeSecs, nativeFigures, hours = '1'] = process.argv.slice(2);
const RUNS = 3;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Under Node.
const require = createRequire(import.meta.url);
const bench = require(path.resolve(nodeDir, 'kraftlab_wasm_bench.js'));
const nodeTimes = [];
let nodeFigures = '';
for (let i = 0; i < RUNS; i++) {
  const began = performance.now();
  nodeFigures = bench.bench_core(Number(hours));
  nodeTimes.push((performance.now() - began) / 1000);
}

// In Chromium: the web build served with a page that runs it and reports.
const page = `<!doctype html><script type="module">
import init, { bench_core } from './kraftlab_wasm_bench.js';
await init();
const times = []; let figures = '';
for (let i = 0; i < ${RUNS}; i++) { const t = performance.now(); figures = bench_core(${Number(hours)}); times.push((performance.now() - t) / 1000); }
window.result = { times, figures };
</script>`;
const server = createServer(async (req, res) => {
  if (req.url === '/' || req.url === '/bench.html') {
    res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    return;
  }
  try {
    const body = await readFile(path.join(webDir, path.basename(req.url)));
    const type = req.url.endsWith('.wasm') ? 'application/wasm' : 'text/javascript';
    res.writeHead(200, { 'content-type': type }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const browser = await launch();
let chromium;
try {
  const tab = await browser.newPage();
  await tab.goto(`http://127.0.0.1:${server.address().port}/`);
  chromium = await tab.waitForFunction(() => window.result, null, { timeout: 600_000 }).then((h) => h.jsonValue());
} finally {
  await browser.close();
  server.close();
}

const native = Number(nativeSecs);
const row = (where, secs, figures) =>
  `  ${where.padEnd(26)} ${secs.toFixed(3).padStart(7)} s  ${(secs / native).toFixed(2)}x native   (events messages accepted hw: ${figures})`;
console.log(`core benchmark, ${hours} h of virtual time (median of ${RUNS}):`);
console.log(row('native (kraftlab bench)', native, nativeFigures));
console.log(row(`wasm32, Node ${process.version}`, median(nodeTimes), nodeFigures));
console.log(row('wasm32, Chromium', median(chromium.times), chromium.figures));
// The same seed and actions must give the same run everywhere.
if (nodeFigures !== nativeFigures || chromium.figures !== nativeFigures) {
  console.error(`the runs differ: native ${nativeFigures}, Node ${nodeFigures}, Chromium ${chromium.figures}`);
  process.exit(1);
}
