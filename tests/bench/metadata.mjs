// The metadata benchmark in wasm32 under Node: the figures a browser tab would see.
// Usage: node tests/bench/metadata.mjs <dir with wasm-bindgen nodejs output> [topics] [partitions]
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import path from 'node:path';

const [dir, topics = '1000', partitions = '100'] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const bench = require(path.resolve(dir, 'kraftlab_wasm_bench.js'));

const began = performance.now();
const report = JSON.parse(bench.bench_metadata(Number(topics), Number(partitions)));
const seconds = (performance.now() - began) / 1000;
const wasmMiB = bench.wasm_memory_bytes() / (1024 * 1024);
const rssMiB = process.memoryUsage().rss / (1024 * 1024);
console.log(
  `bench-metadata (wasm32, Node ${process.version}): ${report.partitions} partitions ` +
    `(${topics} topics x ${partitions}, rf 3) on 3 controllers + 3 brokers: ${seconds.toFixed(3)}s, ` +
    `wasm memory ${wasmMiB.toFixed(0)} MiB, process RSS ${rssMiB.toFixed(0)} MiB, ` +
    `complete=${report.complete}, ${report.distinctTopicMaps} topic map(s) shared by 6 nodes`,
);
if (!report.complete) process.exit(1);
