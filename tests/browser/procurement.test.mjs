// Browser test of the procurement analysis (issue 5): the dashboard of the demo borough with its
// charts and tables, the filters (year, baseline, top N), drill-down from a sector to a supplier to
// its payments, the review queue (a decision is saved and remembered), the exclusion rules and the
// supplier records, LM3 from figures and from the survey template, and the standalone HTML report
// opened from a file. axe-core on every page: zero violations. Run with ./run.sh, or:
// node --test procurement.test.mjs

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite, useLevers, SCREENSHOTS, AXE_OPTIONS, formatViolations } from './harness.mjs';

suite('procurement analysis in chromium', () => {
  const lv = useLevers();

  it('shows the dashboard of the demo borough with charts, tables and caveats', async () => {
    await lv.signIn();
    await lv.goto('/procurement');
    await Promise.all([lv.page.waitForURL('**/procurement/analysis'), lv.page.getByRole('link', { name: 'Where the money goes' }).first().click()]);
    const main = await lv.page.locator('main').innerText();
    for (const want of [/Spent in Levermouth/, /Leaks out of Levermouth Coast/, /Opportunities for local suppliers/, /Spend by ward/, /could not locate/, /Companies House registered office/]) {
      assert.match(main, want);
    }
    assert.ok((await lv.page.locator('svg.lv-chart').count()) >= 5, 'shares, year on year, top suppliers, leakage and wards charts');
    await lv.checkPage('procurement-dashboard');
  });

  it('filters by year, baseline and top N', async () => {
    const page = lv.page;
    await page.getByLabel('Financial year').selectOption('2023/24');
    await page.getByLabel('Compare with').selectOption('2022/23');
    await page.getByLabel('Top suppliers (N)').fill('5');
    await Promise.all([page.waitForURL(/year=2023%2F24/), page.getByRole('button', { name: 'Show the analysis' }).click()]);
    const main = await page.locator('main').innerText();
    assert.match(main, /Change since 2022\/23/);
    assert.match(main, /top 5 suppliers/);
    await lv.checkPage('procurement-dashboard-filtered');
    // A wrong area code is shown back as an error on the form.
    await page.getByLabel('Local area: district codes').fill('not a code');
    await Promise.all([page.waitForURL(/local=not/), page.getByRole('button', { name: 'Show the analysis' }).click()]);
    await page.getByText('There is a problem').waitFor();
    await lv.checkPage('procurement-dashboard-error', { allowMainDocumentError: true });
  });

  it('drills down from a sector to a supplier to its payments', async () => {
    const page = lv.page;
    await lv.goto('/procurement/analysis');
    await Promise.all([page.waitForURL('**/analysis/sector?*'), page.getByRole('link', { name: 'Catering', exact: true }).click()]);
    assert.match(await page.locator('h1').innerText(), /Catering/);
    await lv.checkPage('procurement-sector');
    await Promise.all([page.waitForURL('**/analysis/supplier?*'), page.getByRole('link', { name: 'Levermouth Harbour Catering Ltd' }).click()]);
    const main = await page.locator('main').innerText();
    assert.match(main, /Council's supplier record/);
    assert.ok((await page.getByRole('row').count()) > 10, 'its payments are listed');
    await lv.checkPage('procurement-supplier');
  });

  it('reviews a close name match; the decision is remembered', async () => {
    const page = lv.page;
    await lv.goto('/procurement/review');
    const main = await page.locator('main').innerText();
    assert.match(main, /Kestrel Vale Transport & Logistics/);
    await lv.checkPage('procurement-review');
    await page.getByLabel(/It is Kestrel Vale Transport Ltd/).check();
    await Promise.all([page.waitForURL('**/procurement/review?*done=*'), page.getByRole('button', { name: 'Save the decision' }).click()]);
    const after = await page.locator('main').innerText();
    assert.match(after, /Decision saved/);
    assert.match(after, /Nothing to review/);
    assert.match(after, /Kestrel Vale Transport Ltd/);
    await lv.checkPage('procurement-review-decided');
  });

  it('shows the exclusion rules and the supplier records', async () => {
    await lv.goto('/procurement/rules');
    assert.match(await lv.page.locator('main').innerText(), /Levies and precepts/);
    await lv.checkPage('procurement-rules');
    await lv.goto('/procurement/suppliers');
    assert.match(await lv.page.locator('main').innerText(), /Levermouth Digital Co-operative/);
    await lv.checkPage('procurement-suppliers');
  });

  it('works out LM3 from figures, names a mistake, and reads the survey template', async () => {
    const page = lv.page;
    await lv.goto('/procurement/lm3');
    await lv.checkPage('procurement-lm3');
    await page.getByLabel('Round 1: the income traced').fill('100,000');
    await page.getByLabel('Round 2: spent on staff who live in the area').fill('30,000');
    await page.getByLabel('Round 2: spent with suppliers in the area').fill('20,000');
    await page.getByLabel("Round 3: share of the staff's own spending made in the area").fill('145%');
    await page.getByLabel("Round 3: share of the local suppliers' spending made in the area").fill('40%');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Work out LM3' }).click()]);
    assert.match(await page.locator('.lv-error-summary').innerText(), /share of staff spending made locally/);
    await lv.checkPage('procurement-lm3-error', { allowMainDocumentError: true });
    lv.resetProblems();
    await page.getByLabel("Round 3: share of the staff's own spending made in the area").fill('45.4%');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Work out LM3' }).click()]);
    assert.equal(await page.locator('#lm3-value').innerText(), '1.7162');
    await lv.checkPage('procurement-lm3-result');
    const template = await page.request.get(lv.url('/procurement/lm3/template.csv'));
    const dir = await mkdtemp(path.join(tmpdir(), 'levers-lm3-'));
    const file = path.join(dir, 'survey.csv');
    await writeFile(file, await template.body());
    await page.getByLabel('Survey file').setInputFiles(file);
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Read the survey' }).click()]);
    assert.equal(await page.locator('#lm3-value').innerText(), '1.7162');
    assert.match(await page.locator('main').innerText(), /Survey rows behind it/);
    await lv.checkPage('procurement-lm3-survey');
    await rm(dir, { recursive: true, force: true });
  });

  it('downloads the standalone report, which reads well on its own', async () => {
    const page = lv.page;
    const resp = await page.request.get(lv.url('/procurement/analysis/report?body=Levermouth+Borough+Council&year=2024%2F25&top=300&local=X07000001&local_name=Levermouth&wider=X07000001%2CX07000002%2CX07000003&wider_name=Levermouth+Coast&sector_basis=expense_type'));
    assert.equal(resp.status(), 200);
    assert.match(resp.headers()['content-disposition'], /attachment/);
    const dir = await mkdtemp(path.join(tmpdir(), 'levers-report-'));
    const file = path.join(dir, 'report.html');
    await writeFile(file, await resp.body());
    await page.goto(`file://${file}`);
    assert.match(await page.locator('h1').innerText(), /Where Levermouth Borough Council's money goes, 2024\/25/);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'procurement-report.png'), fullPage: true });
    await page.emulateMedia({ media: 'print' });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'procurement-report-print.png'), fullPage: true });
    await page.emulateMedia({ media: 'screen' });
    const results = await page.evaluate((opts) => window.axe ? window.axe.run(document, opts) : null, AXE_OPTIONS);
    if (results === null) {
      const { readFile } = await import('node:fs/promises');
      const { createRequire } = await import('node:module');
      const require = createRequire(import.meta.url);
      await page.evaluate(await readFile(require.resolve('axe-core/axe.min.js'), 'utf8'));
    }
    const res = await page.evaluate((opts) => window.axe.run(document, opts), AXE_OPTIONS);
    if (res.violations.length) assert.fail(formatViolations('procurement-report', page.url(), res.violations));
    await rm(dir, { recursive: true, force: true });
  });
});
