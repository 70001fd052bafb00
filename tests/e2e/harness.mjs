// Shared set-up for the end-to-end tests: serve the release bundle in dist/ with a static
// server, drive Debian's Chromium through playwright-core, and fail on any console error.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const artifacts = join(root, 'tests', 'e2e', 'artifacts');
mkdirSync(artifacts, { recursive: true });

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function waitForPort(port, ms = 10000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => { s.end(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`static server did not start on ${port}`);
}

/** Starts a static server on dist/ and returns { url, close }. */
export async function serveDist() {
  const port = await freePort();
  const server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '-d', join(root, 'dist')], {
    stdio: 'ignore',
  });
  await waitForPort(port);
  return { url: `http://127.0.0.1:${port}/`, close: () => server.kill() };
}

/** Launches Debian's Chromium headless with the flags this machine needs. */
/**
 * Launches Debian's Chromium. Every page it opens has already dismissed the first visit's
 * orientation card (which pauses the run until read), unless its context is made with
 * `{ firstVisit: true }`.
 */
export async function launch() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options = {}) => {
    const { firstVisit, ...rest } = options;
    const context = await newContext(rest);
    if (!firstVisit) {
      await context.addInitScript(() => {
        try {
          localStorage.setItem('kraftlab.oriented', '1');
        } catch {
          // A sandboxed frame has no storage; it shows no card either.
        }
      });
    }
    return context;
  };
  browser.newPage = async (options = {}) => (await browser.newContext(options)).newPage();
  return browser;
}

/** Opens a page that records console errors, warnings and uncaught exceptions. */
export async function openPage(browser, url, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  await page.goto(url);
  return { page, problems, context };
}

/** Records the body of every response `page` receives from now on: `[{ url, body }]`. */
export function recordBodies(page) {
  const bodies = [];
  page.on('response', async (res) => {
    if (res.status() >= 300) return;
    try {
      bodies.push({ url: res.url(), body: await res.body() });
    } catch {
      /* a response without a body (a redirect) costs nothing */
    }
  });
  return bodies;
}

export async function screenshot(page, name) {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: false });
}

/**
 * Registers before/after hooks that start the static server and the browser for a test file;
 * returns an object whose `server` and `browser` are set once they run.
 */
export function suite() {
  const env = { server: null, browser: null };
  before(async () => {
    env.server = await serveDist();
    env.browser = await launch();
  });
  after(async () => {
    await env.browser?.close();
    env.server?.close();
  });
  return env;
}
