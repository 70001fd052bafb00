// Page helpers: read the cluster through the app's test hooks (data-testid and data-* attributes, docs/architecture.md).

/** Every node as { id, role, status, epoch }. */
export async function nodes(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('[data-testid^="node-"]')]
      .filter((el) => /^node-(\d+|zk\d+)$/.test(el.dataset.testid))
      .map((el) => ({
        id: el.dataset.testid.slice(5),
        role: el.dataset.role,
        status: el.dataset.status,
        epoch: Number(el.dataset.epoch),
      })),
  );
}

/** The live leader with the highest epoch, or null. */
export function leaderOf(list) {
  const leaders = list.filter((n) => n.role === 'leader' && n.status !== 'crashed');
  leaders.sort((a, b) => b.epoch - a.epoch);
  return leaders[0] ?? null;
}

/** Polls `probe` until it returns something truthy, or fails naming `what`. */
export async function waitFor(page, probe, timeout, what) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await page.waitForTimeout(100);
  }
}

/** Sets a range input as a user dragging it would. */
export async function setRange(page, testid, value) {
  await page.getByTestId(testid).evaluate((el, v) => {
    el.value = String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
  await page.waitForTimeout(50);
}

/**
 * Clicks a node as a user does: a mouse click at the centre of its body. (Playwright's
 * actionability check never calls a node "stable" because its timer arc animates.) Messages in
 * flight travel between the nodes' edges and take a click within reach of them, so the centre
 * of a body is always the node's.
 */
export async function clickNode(page, id) {
  const body = page.getByTestId(`node-${id}`).locator('.node-body');
  await body.evaluate((el) => el.scrollIntoView({ block: 'center' }));
  const box = await body.boundingBox();
  if (!box) throw new Error(`node ${id} is not visible`);
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
}

/** Waits until the lesson player shows step `n` (1-based). */
export async function atStep(page, n) {
  await page.waitForFunction((n) => document.querySelector('[data-testid="lesson-step"]')?.dataset.step === String(n), n);
}
