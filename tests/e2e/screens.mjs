// Screenshots of the newcomer's playground for a human to read (run: node tests/e2e/screens.mjs
// after a release build): the first visit, a failover and ZooKeeper mode, each on a 375 px
// phone, a 1280 px laptop and a 1920 px projector, and the comparison's sweep. Written to tests/e2e/artifacts/screens-*.png.
import { join } from 'node:path';
import { serveDist, launch, artifacts } from './harness.mjs';
import { nodes, waitFor, leaderOf } from './page.mjs';

const sizes = { phone: { width: 375, height: 740 }, laptop: { width: 1280, height: 800 }, projector: { width: 1920, height: 1080 } };
const server = await serveDist();
const browser = await launch();
try {
  for (const [size, viewport] of Object.entries(sizes)) {
    const shot = (page, name) => page.screenshot({ path: join(artifacts, `screens-${name}-${size}.png`) });
    // The first visit: the card over the picture.
    const first = await (await browser.newContext({ viewport, firstVisit: true })).newPage();
    await first.goto(`${server.url}?seed=42`);
    await first.getByTestId('orientation').waitFor();
    await shot(first, '1-first-visit');
    // A failover: the leader crashed, a new one elected.
    const page = await (await browser.newContext({ viewport })).newPage();
    await page.goto(`${server.url}?seed=42&speed=1`);
    const leader = await waitFor(page, async () => leaderOf(await nodes(page)), 30000, 'a leader');
    await page.keyboard.press('k');
    await waitFor(page, async () => {
      const l = leaderOf(await nodes(page));
      return l && l.id !== leader.id;
    }, 30000, 'a new leader');
    await page.waitForTimeout(800);
    await shot(page, '2-failover');
    // ZooKeeper mode, a topic created.
    await page.getByTestId('new-cluster').click();
    await page.getByTestId('new-mode-zk').check();
    await page.getByTestId('new-cluster-create').click();
    await waitFor(page, async () => (await nodes(page)).some((n) => n.role === 'zk-controller'), 40000, 'a controller broker');
    await page.getByTestId('create-topic').click();
    await page.waitForTimeout(3000);
    // The button scrolled the page: the picture is what this one is for.
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, '3-zookeeper');
    await page.getByTestId('metadata-panel').scrollIntoViewIfNeeded();
    await shot(page, '4-zookeeper-panels');
    // The comparison's sweep: both axes labelled.
    await page.getByTestId('compare-sweep').click();
    await page.getByTestId('compare-sweep-result').waitFor({ timeout: 120000 });
    await page.getByTestId('compare-sweep-result').scrollIntoViewIfNeeded();
    await shot(page, '5-comparison-sweep');
  }
  console.log(`screenshots in ${artifacts}`);
} finally {
  await browser.close();
  server.close();
}
