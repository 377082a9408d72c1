// Browser test of appraisals: an officer builds an appraisal from library costs with the forms,
// sees an error, reads the results with their charts, downloads the workbook, compares two
// interventions, and visits the library and the pooled budget. axe-core on every page: zero
// violations. Run with ./run.sh, or: node --test appraisal.test.mjs

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { suite, useLevers } from './harness.mjs';

suite('appraisals in chromium', () => {
  const lv = useLevers();

  it('signs in and finds appraisals from the community budgets section', async () => {
    await lv.signIn();
    await lv.goto('/community-budgets');
    await lv.checkPage('cb-section');
    await Promise.all([lv.page.waitForURL('**/appraisals'), lv.page.getByRole('link', { name: 'Appraisals' }).first().click()]);
    const main = await lv.page.locator('main').innerText();
    for (const name of ['Levermouth Works', 'Family Futures', 'Money Matters']) assert.match(main, new RegExp(name));
    await lv.checkPage('appraisals-list');
  });

  it('builds an appraisal from library costs, with an error on the way', async () => {
    const page = lv.page;
    await lv.goto('/appraisals');
    await page.getByLabel('Name of the intervention').fill('Warm Homes advice');
    await Promise.all([page.waitForURL('**/edit'), page.getByRole('button', { name: 'Start the appraisal' }).click()]);
    await lv.checkPage('appraisal-edit-new');

    // A cost with a mistake: the error summary links to the field and the typed value stays.
    await page.getByLabel('Agency that pays').fill('Local authority');
    await page.getByLabel('Amount in pounds').fill('thirty thousand');
    await page.getByRole('button', { name: 'Add the cost' }).click();
    await page.getByText('There is a problem').waitFor();
    assert.equal(await page.getByLabel('Amount in pounds').inputValue(), 'thirty thousand');
    await lv.checkPage('appraisal-edit-error', { allowMainDocumentError: true });
    await page.getByLabel('Amount in pounds').fill('30000');
    await Promise.all([page.waitForURL('**/edit?saved=cost*'), page.getByRole('button', { name: 'Add the cost' }).click()]);
    assert.match(await page.locator('main').innerText(), /Cost saved/);

    // An outcome given as a count.
    await page.getByLabel('Outcome', { exact: true }).fill('Evictions avoided');
    await page.getByLabel('Number of outcomes').check();
    await page.getByLabel('Number', { exact: true }).fill('20');
    await page.getByLabel('Deadweight, %').fill('30');
    await Promise.all([page.waitForURL('**/edit?saved=outcome*'), page.getByRole('button', { name: 'Add the outcome' }).click()]);

    // Find the eviction cost in the library and add it as a one-off fiscal value.
    lv.resetProblems();
    await page.getByLabel('Words to search for').fill('eviction');
    await Promise.all([page.waitForURL('**q=eviction*'), page.getByRole('button', { name: 'Search the library' }).click()]);
    await lv.checkPage('appraisal-edit-search');
    const row = page.getByRole('row', { name: /HO1\.0/ });
    await row.getByLabel('First benefit year only').check();
    await Promise.all([page.waitForURL('**/edit?saved=value*'), row.getByRole('button', { name: /Add fiscal/ }).click()]);
    assert.match(await page.locator('main').innerText(), /Fiscal value: HO1\.0 Average fiscal cost of a complex eviction, £6,680\.00 at 2010\/11 prices, from the library \(to Local authority, first year only\)/);
    await lv.checkPage('appraisal-edit-built');

    // The results: outcomes first, then money, charts with tables, the evidence.
    await Promise.all([page.waitForURL(/\/appraisals\/\d+$/), page.getByRole('link', { name: 'See the results' }).click()]);
    const main = await page.locator('main').innerText();
    assert.match(main, /Net outcomes\s+12\.6 outcomes achieved \(each a person or event counted once per outcome line over the appraisal period; from 20 gross/);
    assert.match(main, /Who pays and who benefits/);
    assert.match(main, /HO1\.0/);
    assert.equal(await page.locator('svg.lv-chart').count(), 3);
    await lv.checkPage('appraisal-results');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download as a spreadsheet (XLSX)' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /\.xlsx$/);
  });

  it('compares two interventions and shows the library and the pooled budget', async () => {
    const page = lv.page;
    await lv.goto('/appraisals/compare');
    await lv.checkPage('appraisal-compare-empty');
    await page.getByLabel('First intervention').selectOption({ label: 'Family Futures: intensive family support' });
    await page.getByLabel('Second intervention').selectOption({ label: 'Money Matters: debt and housing advice' });
    await Promise.all([page.waitForURL('**/compare?a=*'), page.getByRole('button', { name: 'Compare' }).click()]);
    assert.match(await page.locator('main').innerText(), /Cost per net outcome/);
    await lv.checkPage('appraisal-compare');

    await lv.goto('/appraisals/unit-costs?q=domestic+violence');
    assert.match(await page.locator('main').innerText(), /CR2\.0/);
    await lv.checkPage('unit-costs');

    await lv.goto('/pooled-budgets');
    await lv.checkPage('pools');
    await Promise.all([page.waitForURL(/\/pooled-budgets\/\d+$/), page.getByRole('link', { name: /Levermouth Together/ }).click()]);
    const main = await page.locator('main').innerText();
    assert.match(main, /Share of benefits/);
    assert.match(main, /Neighbourhood community budget vote/);
    // The line that funds the demo's vote names it: pot, residents' choice and delivery beside the plan.
    assert.match(main, /Community budget votes the pool funds/);
    assert.match(main, /Harbour, Old Town and Quayside community budget 2026/);
    assert.match(main, /Results published/);
    await lv.checkPage('pool');
  });
});
