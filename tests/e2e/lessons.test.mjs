// End-to-end: the lesson player in Chromium, driven like a learner (DESIGN §4, §5.1 test hooks).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suite, openPage, screenshot } from './harness.mjs';
import { atStep, clickNode, waitFor } from './page.mjs';

const env = suite();

/** The open step as { step, steps }. */
async function stepOf(page) {
  const el = page.getByTestId('lesson-step');
  return { step: Number(await el.getAttribute('data-step')), steps: Number(await el.getAttribute('data-steps')) };
}

/** The step's narration once the Markdown worker has rendered it. */
async function narration(page) {
  await page.waitForSelector('[data-testid="narration"][aria-busy="false"]');
  return page.getByTestId('narration').innerText();
}

async function waitMet(page, timeout = 30000) {
  await page.waitForSelector('[data-testid="wait"][data-state="met"]', { timeout });
}

test('the lesson index lists Parts I and II with durations and done marks', async () => {
  const { page, problems, context } = await openPage(env.browser, `${env.server.url}#/lessons`);
  await page.getByTestId('lesson-index').waitFor();
  const links = page.locator('[data-testid^="lesson-link-"]');
  assert.ok((await links.count()) >= 11, 'lessons 1-11 are listed');
  for (const done of await links.evaluateAll((els) => els.map((e) => e.dataset.done))) {
    assert.equal(done, 'false', 'a fresh visitor has finished nothing');
  }
  const text = await page.getByTestId('lesson-index').innerText();
  assert.match(text, /Part I — Consensus in KRaft's words/);
  assert.match(text, /Part II — The metadata log/);
  assert.match(text, /\d+ min/, 'durations are shown');
  await screenshot(page, 'lessons-01-index');
  await page.getByTestId('lesson-link-why-a-quorum').click();
  await page.getByTestId('lesson-title').waitFor();
  assert.equal(await page.getByTestId('lesson-title').innerText(), 'Why a quorum');
  assert.match(page.url(), /#\/lessons\/why-a-quorum\/1$/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('walk lesson 1 with Next, solving a goal by clicking a node; jump back and forth; reload keeps progress', async () => {
  const { page, problems, context } = await openPage(env.browser, `${env.server.url}?speed=4#/lessons/why-a-quorum`);
  await page.getByTestId('lesson-title').waitFor();
  const { steps } = await stepOf(page);
  assert.ok(steps >= 4 && steps <= 10, `a lesson has 4-10 steps, this one ${steps}`);

  // Step 1 animates until its wait holds, then pauses there and offers Next.
  await atStep(page, 1);
  await waitMet(page);
  assert.equal(await page.getByTestId('play-pause').innerText().then((t) => /Play/.test(t)), true, 'the run pauses where the wait held');
  assert.match(await narration(page), /3000/);
  assert.match(await page.getByTestId('lesson-next').getAttribute('class'), /btn-primary/, 'Next is offered');
  await page.getByTestId('lesson-next').click();

  // Step 2: a goal, solved with the node menu.
  await atStep(page, 2);
  const goal = page.getByTestId('goal');
  await goal.waitFor();
  assert.equal(await goal.getAttribute('data-done'), 'false', 'the goal does not hold when the step opens');
  await clickNode(page, '3000');
  await page.getByTestId('node-menu').waitFor();
  await page.getByTestId('action-crash').click();
  await page.waitForSelector('[data-testid="goal"][data-done="true"]', { timeout: 20000 });
  for (const row of await page.getByTestId('goal-row').evaluateAll((els) => els.map((e) => e.dataset.done))) {
    assert.equal(row, 'true');
  }
  assert.match(await goal.innerText(), /Solved by your own hand/);
  await screenshot(page, 'lessons-02-goal-solved');

  // The rest with Next (goal steps are skipped: the lesson plays their solution headless).
  for (let n = 2; n < steps; n++) {
    await page.getByTestId('lesson-next').click();
    await atStep(page, n + 1);
  }
  assert.match(await page.getByTestId('lesson-next').innerText(), /Next lesson: /, 'the last step leads on');

  // Back, and a jump from the step list.
  await page.getByTestId('lesson-back').click();
  await atStep(page, steps - 1);
  await page.locator('.step-link').nth(2).click();
  await atStep(page, 3);
  assert.match(page.url(), /#\/lessons\/why-a-quorum\/3$/);
  assert.equal(await page.getByTestId('goal').getAttribute('data-done'), 'false', 'a jump opens the step unsolved');

  // Reload: the route and the progress are kept.
  await page.reload();
  await atStep(page, 3);
  const done = await page.locator('.step-list li.done').count();
  assert.ok(done >= 2, `steps 1 and 2 are still marked done after a reload (${done})`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('hints one at a time, then the solution (asked first, played with animation, not counted as solved)', async () => {
  const { page, problems, context } = await openPage(env.browser, `${env.server.url}?speed=4#/lessons/why-a-quorum/3`);
  await atStep(page, 3);
  assert.equal(await page.getByTestId('hint').count(), 0);
  await page.getByTestId('hint-button').click();
  assert.equal(await page.getByTestId('hint').count(), 1);
  await page.getByTestId('hint-button').click();
  assert.equal(await page.getByTestId('hint').count(), 2);
  assert.equal(await page.getByTestId('hint-button').isDisabled(), true, 'no more hints');
  await page.getByTestId('solution-button').click();
  await page.getByTestId('solution-cancel').click();
  assert.equal(await page.getByTestId('goal').getAttribute('data-done'), 'false', 'cancelling shows nothing');
  await page.getByTestId('solution-button').click();
  await page.getByTestId('solution-confirm').click();
  await page.getByTestId('solution').waitFor();
  await page.waitForSelector('[data-testid="goal"][data-done="true"]', { timeout: 30000 });
  const goalText = await page.getByTestId('goal').innerText();
  assert.doesNotMatch(goalText, /Solved by your own hand/);
  assert.match(goalText, /shown solution/);
  const node = await page.getByTestId('node-3001').getAttribute('data-status');
  assert.equal(node, 'crashed', 'the solution acted on the cluster');
  await screenshot(page, 'lessons-03-solution');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a prediction is asked before the run goes on and judged when the wait is met; a whole lesson shows done', async () => {
  const { page, problems, context } = await openPage(env.browser, `${env.server.url}?speed=4#/lessons/electing-the-controller`);
  await atStep(page, 1);
  await page.getByTestId('predict-choice').first().waitFor();
  const t0 = await page.getByTestId('sim-time').innerText();
  await page.waitForTimeout(600);
  assert.equal(await page.getByTestId('sim-time').innerText(), t0, 'the run waits for the prediction');
  // The answer comes from the run: find it the way a learner would not, from the checker's view.
  await page.locator('[data-testid="predict-choice"][data-choice="3002"]').click();
  await waitMet(page);
  const verdict = page.getByTestId('predict-verdict');
  await verdict.waitFor();
  assert.equal(await verdict.getAttribute('data-right'), 'true', await verdict.innerText());
  await screenshot(page, 'lessons-04-prediction');

  // Walk the rest: waits, another prediction (answered wrongly on purpose), a goal by the menu.
  const { steps } = await stepOf(page);
  for (let n = 2; n <= steps; n++) {
    await page.getByTestId('lesson-next').click();
    await atStep(page, n);
    if (await page.getByTestId('predict-choice').count()) {
      await page.locator('[data-testid="predict-choice"][data-choice="3000"]').click();
      await page.getByTestId('predict-verdict').waitFor({ timeout: 30000 });
      assert.equal(await page.getByTestId('predict-verdict').getAttribute('data-right'), 'false');
    }
    if (await page.getByTestId('wait').count()) await waitMet(page);
    if (await page.getByTestId('goal').count()) {
      const status = await page.getByTestId('quorum-status').innerText();
      const leader = status.match(/LeaderId:\s+(\d+)/)[1];
      await clickNode(page, leader);
      await page.getByTestId('action-crash').click();
      await page.waitForSelector('[data-testid="goal"][data-done="true"]', { timeout: 30000 });
    }
  }
  await page.goto(`${env.server.url}#/lessons`);
  await page.getByTestId('lesson-index').waitFor();
  assert.equal(await page.getByTestId('lesson-link-electing-the-controller').getAttribute('data-done'), 'true');
  await page.reload();
  await page.getByTestId('lesson-index').waitFor();
  assert.equal(await page.getByTestId('lesson-link-electing-the-controller').getAttribute('data-done'), 'true', 'progress survives a reload');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a teaching switch breaks a rule and the safety panel names the invariant', async () => {
  const { page, problems, context } = await openPage(env.browser, `${env.server.url}?speed=4#/lessons/divergence-and-truncation/5`);
  await atStep(page, 5);
  await page.getByTestId('goal').waitFor();
  assert.equal(await page.getByTestId('invariant-committed_durable').getAttribute('data-status'), 'ok', 'nothing is lost yet');
  await clickNode(page, '3001');
  await page.getByTestId('action-restart').click();
  await page.waitForSelector('[data-testid="goal"][data-done="true"]', { timeout: 60000 });
  const panel = page.getByTestId('safety-panel');
  assert.equal(await page.getByTestId('invariant-committed_durable').getAttribute('data-status'), 'violated');
  assert.equal(await page.getByTestId('invariant-election_safety').getAttribute('data-status'), 'ok');
  assert.match(await panel.innerText(), /Broken at [\d.]+ s on \d+/);
  assert.match(await panel.innerText(), /commit-before-own-epoch/, 'the switch that broke it is named');
  await screenshot(page, 'lessons-05-safety');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a malformed lesson shows its error with the file and line, and a {run} chip runs its command', async () => {
  const { page, problems, context } = await openPage(env.browser, `${env.server.url}#/lessons`);
  await page.route('**/lessons/02-electing-the-controller.md', (route) =>
    route.fulfill({
      status: 200,
      contentType: 'text/markdown',
      body: '---\ntitle: Broken\nslug: electing-the-controller\npart: 1\norder: 2\nduration: 1 min\nkind: lesson\nsummary: x\n---\n\n## Step\n\n```wait\nleader\n```\n',
    }),
  );
  await page.goto(`${env.server.url}#/lessons/electing-the-controller`);
  const error = page.getByTestId('lesson-error');
  await error.waitFor();
  assert.match(await error.innerText(), /lessons\/02-electing-the-controller\.md:14: .*within/);
  await page.unroute('**/lessons/02-electing-the-controller.md');

  await page.goto(`${env.server.url}?speed=4#/lessons/why-a-quorum/1`);
  await waitMet(page);
  await narration(page);
  const chip = page.locator('[data-testid="narration"] .chip').first();
  const command = await chip.getAttribute('data-command');
  await chip.click();
  await page.getByTestId('toast').waitFor();
  assert.ok(command.length > 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('continue in free play keeps the run; the console takes commands', async () => {
  const { page, problems, context } = await openPage(env.browser, `${env.server.url}?speed=4#/lessons/why-a-quorum/1`);
  await waitMet(page);
  const time = await page.getByTestId('sim-time').innerText();
  await page.getByTestId('free-play').click();
  await page.waitForFunction(() => location.hash === '#/');
  await page.getByTestId('cluster-view').waitFor();
  assert.equal(await page.getByTestId('node-3000').getAttribute('data-role'), 'leader', 'the lesson cluster is still there');
  assert.equal(await page.getByTestId('sim-time').innerText(), time);
  await page.getByTestId('console-input').fill('crash leader');
  await page.getByTestId('console-input').press('Enter');
  await waitFor(page, async () => (await page.getByTestId('node-3000').getAttribute('data-status')) === 'crashed', 5000, 'the console to crash 3000');
  await page.getByTestId('console-input').fill('crahs 3000');
  await page.getByTestId('console-input').press('Enter');
  assert.match(await page.getByTestId('console-output').innerText(), /did you mean/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('screenshots of a lesson page on a desktop and at 375 px', async () => {
  for (const [name, viewport] of [
    ['lessons-06-desktop', { width: 1366, height: 900 }],
    ['lessons-07-phone', { width: 375, height: 740 }],
  ]) {
    const { page, problems, context } = await openPage(env.browser, `${env.server.url}?speed=4#/lessons/replication-by-fetch/2`, viewport);
    await atStep(page, 2);
    await narration(page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 1, `${name}: no sideways scrolling (${overflow}px)`);
    await screenshot(page, name);
    assert.deepEqual(problems, []);
    await context.close();
  }
});
