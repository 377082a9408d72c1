// Browser test of the strategy: a head of policy opens the Strategy section (the demo's strategy),
// sees each objective's status with the trajectory charts and their tables, follows an off-track
// objective to its page, and opens the cabinet report (in the page and as the standalone page that
// prints on A4). An officer then adds a measure (with a validation error first), records a
// published figure, and chooses objectives on a co-production activity instead of typing them.
// axe-core on every page: zero violations. Run with ./run.sh, or: node --test strategy.test.mjs
// (The place helper adds the place view's steps: strategy → objective → place → ward → profile.)

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite, useLevers } from './harness.mjs';

suite('strategy in chromium', () => {
  const lv = useLevers();

  it('shows the strategy with every objective\'s status, charts and tables', async () => {
    await lv.signIn();
    await lv.goto('/strategy');
    const main = await lv.page.locator('main').innerText();
    assert.match(main, /Levermouth Tackling Poverty Together/);
    assert.match(main, /2 off track, 1 at risk, 2 on track/);
    assert.match(main, /How status is judged/);
    assert.ok(await lv.page.locator('svg.lv-chart').count() >= 10, 'a trajectory chart for every measure');
    assert.ok(await lv.page.locator('table').count() >= 11, 'each chart has its table, plus the summary');
    await lv.checkPage('strategy-overview');
  });

  it('follows an off-track objective to its page', async () => {
    const page = lv.page;
    const row = page.locator('table').first().locator('tr', { hasText: 'Off track' }).first();
    const link = row.getByRole('link');
    const name = await link.innerText();
    assert.match(name, /Reduce child poverty|Independent living/);
    await Promise.all([page.waitForURL(/\/objectives\/\d+$/), link.click()]);
    const main = await page.locator('main').innerText();
    assert.match(main, /Off track/);
    assert.match(main, /What serves it/);
    assert.match(main, /next release/);
    await lv.checkPage('strategy-objective');
  });

  it('opens the cabinet report and its standalone page', async () => {
    const page = lv.page;
    await lv.goto('/strategy');
    await Promise.all([page.waitForURL(/\/report$/), page.getByRole('link', { name: /The cabinet report/ }).click()]);
    assert.match(await page.locator('h1').innerText(), /How our levers landed/);
    await lv.checkPage('strategy-report');
    const link = page.getByRole('link', { name: /standalone page/ });
    const href = await link.getAttribute('href');
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    assert.match(download.suggestedFilename(), /\.html$/);
    // The downloaded report opened from disk, as someone printing it for cabinet would.
    const file = path.join(tmpdir(), `levers-strategy-report-${process.pid}.html`);
    await download.saveAs(file);
    await page.goto(`file://${file}`);
    assert.match(await page.locator('h1').innerText(), /How our levers landed/);
    await page.emulateMedia({ media: 'print' });
    try {
      await lv.checkPage('strategy-report-print');
      const pdf = await page.pdf({ format: 'A4' });
      assert.ok(pdf.length > 10_000, 'the report prints to A4');
    } finally {
      await page.emulateMedia({ media: 'screen' });
      await rm(file, { force: true });
    }
    const json = await (await page.request.get(lv.url(href.replace('.html', '.json')))).json();
    assert.equal(json.counts.off_track, 2);
    const xlsx = await page.request.get(lv.url(href.replace('.html', '.xlsx')));
    assert.equal(xlsx.status(), 200);
  });

  it('lets an officer add a measure and record a published figure', async () => {
    const page = lv.page;
    await lv.goto('/strategy');
    await Promise.all([page.waitForURL(/\/objectives\/\d+$/), page.getByRole('link', { name: /O3 Independent living/ }).first().click()]);
    await lv.checkPage('strategy-objective-o3');
    await Promise.all([page.waitForURL(/\/measures\/new$/), page.getByRole('button', { name: 'Add a measure' }).click()]);
    await lv.checkPage('strategy-measure-form');
    await page.getByLabel(/^Official statistics/).check();
    await page.getByLabel('Name of the measure').fill('Adults receiving long-term support at home');
    await page.getByLabel('Indicator', { exact: true }).fill('asc_support_at_home');
    await page.getByLabel('Area code').fill('X07000001');
    lv.resetProblems();
    await page.getByRole('button', { name: 'Save the measure' }).click();
    await page.getByText('There is a problem').waitFor();
    assert.match(await page.title(), /^Error: /);
    await lv.checkPage('strategy-measure-error', { allowMainDocumentError: true });
    await page.getByLabel('Publisher and series').fill('NHS England Adult Social Care Activity and Finance Report');
    await page.getByLabel('Year', { exact: true }).fill('2023/24');
    await page.getByLabel('Value', { exact: true }).fill('61');
    await page.getByLabel('Target for 2027/28').fill('70');
    await page.getByLabel('Higher is better').check();
    lv.resetProblems();
    await Promise.all([page.waitForURL(/saved=measure/), page.getByRole('button', { name: 'Save the measure' }).click()]);
    assert.match(await page.locator('main').innerText(), /The measure was saved/);
    await Promise.all([page.waitForURL(/values\/new$/), page.getByRole('link', { name: /Record a published figure for Adults receiving/ }).click()]);
    await lv.checkPage('strategy-value-form');
    await page.getByLabel('Financial year it counts for').fill('2024/25');
    await page.getByLabel('Figure').fill('64');
    await page.getByLabel('Date published (optional)').fill('2025-12-10');
    lv.resetProblems();
    await Promise.all([page.waitForURL(/saved=value/), page.getByRole('button', { name: 'Record the figure' }).click()]);
    const main = await page.locator('main').innerText();
    assert.match(main, /The figure was recorded/);
    assert.match(main, /64\.0%/);
    await lv.checkPage('strategy-objective-saved');
  });

  it('chooses objectives on a co-production activity instead of typing them', async () => {
    const page = lv.page;
    await lv.goto('/co-production/register/new');
    const boxes = page.locator('input[name="objective"]');
    assert.ok(await boxes.count() >= 5, 'every objective offered');
    assert.equal(await page.locator('textarea#objectives').count(), 0, 'no free-text objectives');
    await lv.checkPage('strategy-activity-form');
  });

  it('ticks the objectives an appraisal serves, shown on the objective', async () => {
    const page = lv.page;
    await lv.goto('/appraisals');
    await Promise.all([page.waitForURL(/\/appraisals\/\d+$/), page.getByRole('link', { name: /Money Matters/ }).first().click()]);
    await Promise.all([page.waitForURL(/\/strategy\/serves\/appraisal\/\d+$/), page.getByRole('link', { name: 'Choose the strategy objectives this intervention serves' }).click()]);
    await lv.checkPage('strategy-serves');
    await page.getByLabel(/O3 Independent living/).check();
    lv.resetProblems();
    await Promise.all([page.waitForURL(/\/appraisals\/\d+$/), page.getByRole('button', { name: 'Save the objectives' }).click()]);
    await lv.goto('/strategy');
    await Promise.all([page.waitForURL(/\/objectives\/\d+$/), page.getByRole('link', { name: /O3 Independent living/ }).first().click()]);
    assert.match(await page.locator('main').innerText(), /Appraisal: Money Matters/);
  });
});
