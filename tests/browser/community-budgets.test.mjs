// Browser test of community budget votes (issue 7). An officer sets up four processes with the
// web forms, one per ballot type, reviews ideas onto each ballot and prints voting codes; a resident
// (a separate, anonymous browser) casts each ballot type end to end with a code (the ranking ballot
// with the keyboard only); a second use of a code is refused; the officer closes voting, counts and
// publishes; the results page funds exactly what `levers pb run` funds on the exported .pb file,
// and `levers pb verify` agrees. axe-core on every page: zero violations.
// Run with ./run.sh, or: node --test community-budgets.test.mjs

import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { suite, useLevers, LEVERS_BIN, AXE_OPTIONS, SCREENSHOTS, formatViolations } from './harness.mjs';

const require = createRequire(import.meta.url);

const PROCESSES = [
  { name: 'Browser approval', slug: 'browser-approval', type: 'Choose up to a number of projects', field: ['Most projects a voter may choose', '2'] },
  { name: 'Browser knapsack', slug: 'browser-knapsack', type: 'Choose projects up to a spending limit', field: ['Spending limit in pounds (blank: the pot)', '7000'] },
  { name: 'Browser points', slug: 'browser-points', type: 'Share points among projects', field: ['Points each voter shares', '5'] },
  { name: 'Browser ranking', slug: 'browser-ranking', type: 'Rank projects in order', field: ['Most projects a voter may rank', '2'] },
];
const IDEAS = [['Riverside benches', '2500'], ['Youth music sessions', '4000'], ['Community orchard', '3500']];

suite('community budget votes in chromium', () => {
  const lv = useLevers();
  let resident; // a second, anonymous browser page
  let residentProblems = [];
  let axeSource;
  const codes = {};
  const receipts = {};

  before(async () => {
    axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  });

  /// The same checks as lv.checkPage, on the resident's page.
  async function checkResident(name, { allowMainDocumentError = false } = {}) {
    await resident.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
    assert.match(await resident.title(), /levers/, `${name}: title`);
    assert.equal(await resident.locator('h1').count(), 1, `${name}: expected exactly one <h1>`);
    if (!(await resident.evaluate(() => typeof window.axe === 'object'))) await resident.evaluate(axeSource);
    const results = await resident.evaluate((opts) => window.axe.run(document, opts), AXE_OPTIONS);
    if (results.violations.length) assert.fail(formatViolations(name, resident.url(), results.violations));
    let seen = residentProblems;
    if (allowMainDocumentError) seen = seen.filter((p) => !/status of 4\d\d/.test(p));
    assert.deepEqual(seen, [], `${name}: the page reported problems`);
    residentProblems = [];
  }

  async function click(page, role, name) {
    await Promise.all([page.waitForNavigation(), page.getByRole(role, { name }).click()]);
  }

  /// Presses Tab until the focused element satisfies `test` (a function run in the page).
  async function tabTo(page, test, what) {
    for (let i = 0; i < 80; i += 1) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(test)) return;
    }
    assert.fail(`Tab never reached ${what}`);
  }

  it('signs in and sees the demo community budget with its explained result', async () => {
    await lv.signIn();
    await lv.goto('/community-budgets');
    await lv.checkPage('cbv-index');
    await lv.goto('/community-budgets/harbour-2026');
    await lv.checkPage('cbv-demo-process');
    await lv.goto('/community-budgets/harbour-2026/results');
    const main = await lv.page.locator('main').innerText();
    assert.match(main, /Ballots counted\s+3450/);
    assert.match(main, /Why each project was or was not funded/);
    assert.match(main, /Funded in round 1 of equal shares/);
    await lv.checkPage('cbv-demo-results');
    await lv.goto('/community-budgets/harbour-2026/delivery');
    await lv.checkPage('cbv-demo-delivery');
  });

  it('sets up four processes, one per ballot type, with ideas on the ballot and codes printed', async () => {
    const page = lv.page;
    for (const [n, p] of PROCESSES.entries()) {
      await lv.goto('/community-budgets/new');
      if (n === 0) {
        // A form with mistakes first: the error summary names the fields.
        await click(page, 'button', 'Create');
        await page.getByText('There is a problem').waitFor();
        await lv.checkPage('cbv-new-errors', { allowMainDocumentError: true });
        lv.resetProblems();
      }
      await page.getByLabel('Name', { exact: true }).fill(p.name);
      await page.getByLabel('Area name').fill('Harbour ward');
      await page.getByLabel('Ward or LSOA codes, or postcodes').fill('X05000001');
      await page.getByLabel('Pot in pounds').fill('10000');
      await page.getByLabel(p.type).check();
      await page.getByLabel(p.field[0]).fill(p.field[1]);
      await page.getByLabel('Minimum age (optional)').fill('16');
      if (n === 0) await lv.checkPage('cbv-new-filled');
      await Promise.all([page.waitForURL(`**/community-budgets/${p.slug}/manage`), page.getByRole('button', { name: 'Create' }).click()]);
      if (n === 0) await lv.checkPage('cbv-manage-setup');
      // The manage page offers one button, for the next phase; skipping one is tucked away.
      await page.getByText('Skip a phase').click();
      await click(page, 'button', 'Close ideas and start the review');
      await lv.goto(`/community-budgets/${p.slug}/ideas`);
      for (const [title, cost] of IDEAS) {
        await page.getByLabel('Name of the idea').fill(title);
        await page.getByLabel('Description').fill(`${title} for the harbour`);
        await page.getByLabel('Rough cost in pounds (optional)').fill(cost);
        await click(page, 'button', 'Add the idea');
      }
      const cards = page.locator('.lv-pb-idea');
      assert.equal(await cards.count(), 3);
      for (let i = 0; i < 3; i += 1) {
        const card = page.locator('.lv-pb-idea').nth(i);
        await card.getByLabel('Accept onto the ballot').check();
        await Promise.all([page.waitForNavigation(), card.getByRole('button', { name: /Save decision/ }).click()]);
      }
      if (n === 0) await lv.checkPage('cbv-ideas');
      await lv.goto(`/community-budgets/${p.slug}/manage`);
      await click(page, 'button', 'Open voting (freezes the ballot)');
      assert.match(await page.locator('#phase-now').innerText(), /Voting open/);
      await lv.goto(`/community-budgets/${p.slug}/codes`);
      if (n === 0) await lv.checkPage('cbv-codes');
      await page.getByLabel('Name of the batch').fill('Browser test');
      await page.getByLabel('How many codes').fill('2');
      await click(page, 'button', 'Make the codes');
      codes[p.slug] = await page.locator('.lv-pb-code').allInnerTexts();
      assert.equal(codes[p.slug].length, 2);
      if (n === 0) {
        await lv.checkPage('cbv-code-sheet');
        // A returned letter: make a replacement batch of one, then cancel that code with a reason.
        await lv.goto(`/community-budgets/${p.slug}/codes`);
        await page.getByLabel('Name of the batch').fill('Returned letters');
        await page.getByLabel('How many codes').fill('1');
        await click(page, 'button', 'Make the codes');
        const [spare] = await page.locator('.lv-pb-code').allInnerTexts();
        await lv.goto(`/community-budgets/${p.slug}/codes`);
        await page.getByLabel('The code', { exact: true }).fill(spare.trim().toLowerCase());
        await click(page, 'button', 'Cancel the code');
        await lv.checkPage('cbv-code-cancel-error', { allowMainDocumentError: true });
        lv.resetProblems();
        assert.match(await page.locator('.lv-error-summary').innerText(), /Choose why the code is being cancelled/);
        await page.getByLabel('The letter came back undelivered').check();
        await click(page, 'button', 'Cancel the code');
        assert.match(await page.locator('.lv-notification-banner').innerText(), /is cancelled and can no longer vote/);
        await lv.checkPage('cbv-code-cancelled');
      }
    }
  });

  it('a resident casts an approval ballot: running total, limit checked, review, receipt', async () => {
    const context = await lv.browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'en-GB' });
    resident = await context.newPage();
    resident.on('console', (msg) => { if (msg.type() === 'error') residentProblems.push(`console error: ${msg.text()}`); });
    resident.on('pageerror', (err) => residentProblems.push(`page error: ${err.message}`));
    const p = PROCESSES[0];
    await resident.goto(lv.url(`/community-budgets/${p.slug}`));
    await checkResident('cbv-resident-process');
    await click(resident, 'button', 'Vote now');
    await checkResident('cbv-resident-code');
    await resident.getByLabel('Voting code').fill(codes[p.slug][0].toLowerCase());
    await click(resident, 'button', 'Continue');
    await checkResident('cbv-resident-ballot-approval');
    for (const [title] of IDEAS) await resident.getByLabel(new RegExp(`^${title}`)).check();
    await click(resident, 'button', 'Continue to check your vote');
    assert.match(await resident.locator('main').innerText(), /You chose 3 projects; choose 2 or fewer/);
    assert.match(await resident.locator('#running-total').innerText(), /3 of 2 choices used: over the limit/);
    await checkResident('cbv-resident-ballot-over', { allowMainDocumentError: true });
    await resident.getByLabel(new RegExp(`^${IDEAS[2][0]}`)).uncheck();
    await click(resident, 'button', 'Update the running total');
    assert.match(await resident.locator('#running-total').innerText(), /2 of 2 choices used/);
    await click(resident, 'button', 'Continue to check your vote');
    await checkResident('cbv-resident-review');
    await resident.getByLabel(/I am 16 or older/).check();
    await click(resident, 'button', 'Cast my vote');
    receipts[p.slug] = (await resident.locator('#receipt').innerText()).trim();
    assert.match(receipts[p.slug], /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    await checkResident('cbv-resident-confirmation');
  });

  it('a second use of the code is refused', async () => {
    const p = PROCESSES[0];
    await resident.goto(lv.url(`/community-budgets/${p.slug}/vote`));
    await resident.getByLabel('Voting code').fill(codes[p.slug][0]);
    await click(resident, 'button', 'Continue');
    assert.match(await resident.locator('main').innerText(), /already been used/);
    await checkResident('cbv-resident-code-used', { allowMainDocumentError: true });
  });

  it('a resident casts a knapsack ballot within the spending limit', async () => {
    const p = PROCESSES[1];
    await resident.goto(lv.url(`/community-budgets/${p.slug}/vote`));
    await resident.getByLabel('Voting code').fill(codes[p.slug][0]);
    await click(resident, 'button', 'Continue');
    await resident.getByLabel(new RegExp(`^${IDEAS[1][0]}`)).check();
    await resident.getByLabel(new RegExp(`^${IDEAS[2][0]}`)).check();
    await click(resident, 'button', 'Update the running total');
    assert.match(await resident.locator('#running-total').innerText(), /£7,500 of £7,000 used.*over the limit/);
    await checkResident('cbv-resident-ballot-knapsack');
    await resident.getByLabel(new RegExp(`^${IDEAS[1][0]}`)).uncheck();
    await resident.getByLabel(new RegExp(`^${IDEAS[0][0]}`)).check();
    await click(resident, 'button', 'Continue to check your vote');
    assert.match(await resident.locator('main').innerText(), /£6,000 of £7,000 used, £1,000 left/);
    await resident.getByLabel(/I am 16 or older/).check();
    await click(resident, 'button', 'Cast my vote');
    assert.match(await resident.locator('h1').innerText(), /Your vote has been cast/);
  });

  it('a resident casts a points ballot', async () => {
    const p = PROCESSES[2];
    await resident.goto(lv.url(`/community-budgets/${p.slug}/vote`));
    await resident.getByLabel('Voting code').fill(codes[p.slug][0]);
    await click(resident, 'button', 'Continue');
    await resident.getByLabel(new RegExp(`^${IDEAS[0][0]}`)).fill('3');
    await resident.getByLabel(new RegExp(`^${IDEAS[2][0]}`)).fill('2');
    await click(resident, 'button', 'Update the running total');
    assert.match(await resident.locator('#running-total').innerText(), /5 of 5 points used, 0 left/);
    await checkResident('cbv-resident-ballot-points');
    await click(resident, 'button', 'Continue to check your vote');
    assert.match(await resident.locator('main').innerText(), new RegExp(`${IDEAS[0][0]}\\s+£2,500: 3 points`));
    await resident.getByLabel(/I am 16 or older/).check();
    await click(resident, 'button', 'Cast my vote');
    assert.match(await resident.locator('h1').innerText(), /Your vote has been cast/);
  });

  it('a resident casts a ranking ballot with the keyboard only', async () => {
    const p = PROCESSES[3];
    await resident.goto(lv.url(`/community-budgets/${p.slug}/vote`));
    await tabTo(resident, () => document.activeElement?.id === 'code', 'the code field');
    await resident.keyboard.type(codes[p.slug][0].replace(/-/g, ' '));
    await Promise.all([resident.waitForNavigation(), resident.keyboard.press('Enter')]);
    await checkResident('cbv-resident-ballot-ranking');
    const ids = await resident.locator('select.lv-select').evaluateAll((els) => els.map((e) => ({ id: e.id, label: document.querySelector(`label[for="${e.id}"]`).innerText })));
    const idOf = (title) => ids.find((x) => x.label.startsWith(title)).id;
    // Rank 1: the orchard; rank 2: the music sessions. Arrow keys change a focused drop-down.
    for (const [title, rank] of [[IDEAS[2][0], 1], [IDEAS[1][0], 2]]) {
      const id = idOf(title);
      await resident.keyboard.press('Shift+Tab'); // start from wherever focus is, then walk forward
      await tabTo(resident, new Function(`return document.activeElement && document.activeElement.id === ${JSON.stringify(id)}`), title);
      for (let i = 0; i < rank; i += 1) await resident.keyboard.press('ArrowDown');
      assert.equal(await resident.locator(`#${id}`).inputValue(), String(rank));
    }
    await tabTo(resident, () => document.activeElement?.textContent?.trim() === 'Continue to check your vote', 'Continue');
    await Promise.all([resident.waitForNavigation(), resident.keyboard.press('Enter')]);
    const main = await resident.locator('main').innerText();
    assert.match(main, new RegExp(`1\\. ${IDEAS[2][0]}[\\s\\S]*2\\. ${IDEAS[1][0]}`));
    await tabTo(resident, () => document.activeElement?.id === 'age_ok', 'the age confirmation');
    await resident.keyboard.press('Space');
    await tabTo(resident, () => document.activeElement?.textContent?.trim() === 'Cast my vote', 'Cast my vote');
    await Promise.all([resident.waitForNavigation(), resident.keyboard.press('Enter')]);
    assert.match(await resident.locator('h1').innerText(), /Your vote has been cast/);
    receipts[p.slug] = (await resident.locator('#receipt').innerText()).trim();
  });

  it('the officer enters a paper ballot, closes voting, counts and publishes', async () => {
    const page = lv.page;
    const p = PROCESSES[0];
    await lv.goto(`/community-budgets/${p.slug}/paper`);
    await lv.checkPage('cbv-paper');
    await page.getByLabel('Voting code on the paper ballot').fill(codes[p.slug][0]);
    await page.getByLabel(new RegExp(`^${IDEAS[2][0]}`)).check();
    await click(page, 'button', 'Enter this ballot');
    assert.match(await page.locator('main').innerText(), /already used to vote online/);
    lv.resetProblems();
    await page.getByLabel('Voting code on the paper ballot').fill(codes[p.slug][1]);
    await click(page, 'button', 'Enter this ballot');
    assert.match(await page.locator('main').innerText(), /Paper ballot with code .* entered/);
    await lv.goto(`/community-budgets/${p.slug}/manage`);
    await click(page, 'button', 'Close voting');
    await lv.checkPage('cbv-manage-closed');
    await click(page, 'button', 'Count the votes');
    assert.match(await page.locator('main').innerText(), /Counted 2 ballots/);
    await click(page, 'button', 'Publish the result');
    assert.match(await page.locator('#phase-now').innerText(), /Results published/);
  });

  it('the published results match `levers pb run` and `levers pb verify` on the exported file', async () => {
    const p = PROCESSES[0];
    await resident.goto(lv.url(`/community-budgets/${p.slug}/results`));
    await checkResident('cbv-results');
    const funded = await resident.locator('#results-table tr[data-funded="1"]').evaluateAll((rows) => rows.map((r) => r.dataset.project).sort());
    const unfunded = await resident.locator('#results-table tr[data-funded="0"]').evaluateAll((rows) => rows.map((r) => r.dataset.project));
    assert.equal(funded.length + unfunded.length, 3);
    const resp = await resident.request.get(lv.url(`/community-budgets/${p.slug}/results.pb`));
    assert.equal(resp.status(), 200);
    const dir = await mkdtemp(path.join(tmpdir(), 'levers-pb-'));
    const file = path.join(dir, `${p.slug}.pb`);
    await writeFile(file, await resp.text());
    const run = JSON.parse(execFileSync(LEVERS_BIN, ['pb', 'run', file, '--rule', 'mes', '--completion', 'add1u', '--semantics', 'equalshares'], { encoding: 'utf8' }));
    assert.deepEqual([...run.selected].sort(), funded, 'the page funds what levers pb run funds');
    const verify = JSON.parse(execFileSync(LEVERS_BIN, ['pb', 'verify', file, '--json'], { encoding: 'utf8' }));
    assert.equal(verify.match, true, JSON.stringify(verify));
    // The receipt now says the ballot was counted.
    await resident.goto(lv.url(`/community-budgets/${p.slug}/receipt`));
    await resident.getByLabel('Receipt number').fill(receipts[p.slug]);
    await click(resident, 'button', 'Check');
    assert.match(await resident.locator('main').innerText(), /your ballot was counted/);
    await checkResident('cbv-receipt-counted');
  });

  it('officer pages for registration and delivery, and the resident pages for ideas', async () => {
    const page = lv.page;
    await lv.goto(`/community-budgets/${PROCESSES[1].slug}/register`);
    await lv.checkPage('cbv-register');
    await lv.goto(`/community-budgets/${PROCESSES[0].slug}/delivery`);
    await lv.checkPage('cbv-delivery');
    await lv.goto(`/community-budgets/${PROCESSES[1].slug}/settings`);
    await lv.checkPage('cbv-settings-locked');
    // A process taking ideas: the public form.
    await lv.goto('/community-budgets/new');
    await page.getByLabel('Name', { exact: true }).fill('Browser ideas');
    await page.getByLabel('Area name').fill('Harbour ward');
    await page.getByLabel('Ward or LSOA codes, or postcodes').fill('X05000001');
    await page.getByLabel('Pot in pounds').fill('5000');
    await Promise.all([page.waitForURL('**/manage'), page.getByRole('button', { name: 'Create' }).click()]);
    await click(page, 'button', 'Open for ideas');
    await resident.goto(lv.url('/community-budgets/browser-ideas/propose'));
    await checkResident('cbv-propose');
    await resident.getByLabel('Name of your idea').fill('Dog bins');
    await resident.getByLabel('What is your idea?').fill('More dog bins on the sea front');
    await click(resident, 'button', 'Send your idea');
    assert.match(await resident.locator('main').innerText(), /your idea is number/);
    await checkResident('cbv-propose-done');
  });
});
