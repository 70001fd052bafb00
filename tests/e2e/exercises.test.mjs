// End-to-end: the exercises in Chromium, driven like a learner — solve exercise 1 by clicking,
// fail exercise 4 with a careless order and read why and where the run went differently, use a
// hint, and see par judged on exercise 5.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suite, openPage, screenshot } from './harness.mjs';
import { atStep, clickNode, waitFor } from './page.mjs';

const env = suite();

/** The active controller, as `kafka-metadata-quorum describe --status` names it. */
async function leaderId(page) {
  return waitFor(
    page,
    async () => (await page.getByTestId('quorum-status').innerText()).match(/LeaderId:\s+(\d+)/)?.[1],
    20000,
    'a LeaderId in describe --status',
  );
}

async function menu(page, id, action) {
  await clickNode(page, id);
  await page.getByTestId('node-menu').waitFor();
  await page.getByTestId(`action-${action}`).click();
}

test('the index lists the exercises E1 to E7 after the lessons', async () => {
  const { page, problems, context } = await openPage(env.browser, `${env.server.url}#/lessons`);
  await page.getByTestId('lesson-index').waitFor();
  const text = await page.getByTestId('lesson-index').innerText();
  assert.match(text, /Exercises — checked by the app/);
  for (let n = 1; n <= 7; n++) assert.match(text, new RegExp(`E${n}\\b`), `E${n} is listed`);
  assert.ok(text.indexOf('E1') > text.indexOf('Part II'), 'exercises come after the lessons');
  assert.deepEqual(problems, []);
  await context.close();
});

test('exercise 1 solved by clicking: the leader crashed, a new one elected, the old one back as a follower', async () => {
  const { page, problems, context } = await openPage(env.browser, `${env.server.url}?speed=4#/lessons/controller-failover-test/2`);
  await atStep(page, 2);
  await page.getByTestId('goal').waitFor();
  const old = await leaderId(page);
  assert.match(await page.getByTestId('goal-actions').innerText(), /Your actions: 0/);
  // A hint, as a learner who is unsure would ask for.
  await page.getByTestId('hint-button').click();
  // Its text comes from the Markdown worker (asked for when the step opened).
  await waitFor(page, async () => new RegExp(old).test(await page.getByTestId('hint').first().innerText()), 5000, 'the hint to name the controller found');
  await menu(page, old, 'crash');
  await waitFor(page, async () => {
    const id = (await page.getByTestId('quorum-status').innerText()).match(/LeaderId:\s+(\d+)/)?.[1];
    return id && id !== old;
  }, 30000, 'a new leader');
  await menu(page, old, 'restart');
  await page.waitForSelector('[data-testid="goal"][data-done="true"]', { timeout: 30000 });
  await page.waitForSelector('[data-testid="attempt-verdict"][data-verdict="solved"]');
  const verdict = page.getByTestId('attempt-verdict');
  assert.match(await verdict.innerText(), /Solved in 2 action\(s\)/);
  await screenshot(page, 'exercises-01-solved');
  await page.goto(`${env.server.url}#/lessons`);
  await page.getByTestId('lesson-index').waitFor();
  assert.match(await page.getByTestId('lesson-link-controller-failover-test').innerText(), /Solved/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('exercise 4 failed with a careless order: the reason, and where the run left the solution', async () => {
  const { page, problems, context } = await openPage(env.browser, `${env.server.url}?speed=4#/lessons/rolling-restart/1`);
  await atStep(page, 1);
  await page.getByTestId('goal').waitFor();
  const leader = await leaderId(page);
  // Careless: crash the active controller first (the followers wait out their fetch timeout).
  await menu(page, leader, 'crash');
  await page.waitForSelector('[data-testid="attempt-verdict"][data-verdict="failed"]', { timeout: 30000 });
  const verdict = page.getByTestId('attempt-verdict');
  const said = await verdict.innerText();
  assert.match(said, /can no longer succeed/);
  assert.match(said, /never more than 1 s without an active controller/);
  assert.match(said, /`no leader` held for [\d.]+s/);
  const divergence = await page.getByTestId('divergence').innerText();
  assert.match(divergence, new RegExp(`your action 1 was \`crash ${leader}\` \\(the active controller\\)`), divergence);
  assert.match(divergence, /the solution's is `shutdown \d+` \(a follower\)/, divergence);
  await screenshot(page, 'exercises-02-failed');
  // Trying again replays the step from its start.
  await page.getByTestId('attempt-retry').click();
  await page.waitForSelector('[data-testid="attempt-verdict"][data-verdict="open"]');
  assert.match(await page.getByTestId('goal-actions').innerText(), /Your actions: 0/);
  // "How am I doing?" before doing anything: every row but the bounds is unmet.
  await page.getByTestId('check-attempt').click();
  await page.waitForSelector('[data-testid="attempt-verdict"][data-verdict="unmet"]');
  assert.match(await page.getByTestId('divergence').innerText(), /you stopped after 0 action\(s\); the solution goes on with `shutdown/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('exercise 5 at par: one cut that leaves no majority is judged best', async () => {
  const { page, problems, context } = await openPage(env.browser, `${env.server.url}?speed=4#/lessons/break-it-fewest-moves/1`);
  await atStep(page, 1);
  await page.getByTestId('goal').waitFor();
  assert.match(await page.getByTestId('goal-actions').innerText(), /par 1/);
  await page.getByTestId('console-input').fill('partition 3000 | 3001 | 3002');
  await page.getByTestId('console-input').press('Enter');
  await page.waitForSelector('[data-testid="goal"][data-done="true"]', { timeout: 30000 });
  await page.waitForSelector('[data-testid="attempt-verdict"][data-verdict="best"]');
  const verdict = page.getByTestId('attempt-verdict');
  assert.match(await verdict.innerText(), /at or under par 1: best/);
  assert.deepEqual(problems, []);
  await context.close();
});
