// Times the lesson player in Chromium (issue figures, not a test): for every lesson, the time
// from navigating to `#/lessons/<slug>` until step 1's narration is rendered, and the time from
// clicking the last step in the step list until it is open (steps 1..N-1 replayed headless).
// Median of RUNS runs each. Run after `trunk build --release`:  node tests/e2e/lesson-timing.mjs
import { serveDist, launch } from './harness.mjs';

const RUNS = Number(process.env.RUNS || 3);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const server = await serveDist();
const browser = await launch();
try {
  const probe = await browser.newPage();
  await probe.goto(`${server.url}#/lessons`);
  await probe.getByTestId('lesson-index').waitFor();
  const slugs = await probe
    .locator('[data-testid^="lesson-link-"]')
    .evaluateAll((els) => els.map((e) => e.dataset.testid.slice('lesson-link-'.length)));
  await probe.close();
  const rendered = (n) =>
    document.querySelector('[data-testid="lesson-step"]')?.dataset.step === String(n) &&
    document.querySelector('[data-testid="narration"]')?.getAttribute('aria-busy') === 'false';
  console.log('lesson                              open (ms)   jump to last step (ms)');
  for (const slug of slugs) {
    const open = [];
    const jump = [];
    for (let r = 0; r < RUNS; r++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${server.url}#/`);
      await page.getByTestId('cluster-view').waitFor();
      let t = Date.now();
      await page.evaluate((slug) => { location.hash = `#/lessons/${slug}`; }, slug);
      await page.waitForFunction(rendered, 1);
      open.push(Date.now() - t);
      const steps = Number(await page.getByTestId('lesson-step').getAttribute('data-steps'));
      t = Date.now();
      await page.locator('.step-link').nth(steps - 1).click();
      await page.waitForFunction(rendered, steps, { timeout: 120000 });
      jump.push(Date.now() - t);
      await context.close();
    }
    console.log(`${slug.padEnd(36)} ${String(median(open)).padStart(9)}   ${String(median(jump)).padStart(9)}`);
  }
} finally {
  await browser.close();
  server.close();
}
