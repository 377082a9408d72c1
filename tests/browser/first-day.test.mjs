// Browser test of a council's first day (issue 20), from an EMPTY database: the first admin (made
// with `levers user add`, as the README says) signs in and sees the first steps, each not done;
// *Where the money goes* explains what to do instead of an error; geography is loaded with
// `levers geo import`; the settings choose the council's own and wider area from the loaded
// districts; a spending file is uploaded, checked and imported as a background job (its page
// shows progress, then the import); supplier records are imported; a community budget and the
// co-production register are started; every step shows done and the first dashboard shows the
// analysis. Each page at 1280 px and 390 px, with a screenshot and zero axe violations.
// Run with ./run.sh, or: node --test first-day.test.mjs

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite, useLevers, runLevers } from './harness.mjs';

// A tiny place: districts L (the council), S (its neighbour) and K (further away), four postcodes.
const IOD = 'LSOA code (2011),LSOA name (2011),Local Authority District code (2019),Local Authority District name (2019),Index of Multiple Deprivation (IMD) Rank,Index of Multiple Deprivation (IMD) Decile\n'
  + 'X01000001,Lhaven 001A,X07000001,Lhaven,"1,000",1\nX01000002,Lhaven 002A,X07000001,Lhaven,"15,000",5\n'
  + 'X01000003,Shore 001A,X07000002,Shore,"5,000",2\nX01000004,Kell 001A,X07000003,Kell,"2,000",1\n';
const ONSPD = 'pcd,pcds,doterm,oslaua,osward,lsoa11,lsoa21,lat,long\n'
  + 'XL11AA,XL1 1AA,,X07000001,X05000001,X01000001,X01000001,54.0,-3.0\nXL12AB,XL1 2AB,,X07000001,X05000002,X01000002,X01000002,54.0,-3.0\n'
  + 'XS11AA,XS1 1AA,,X07000002,X05000003,X01000003,X01000003,54.0,-3.0\nXK11AA,XK1 1AA,,X07000003,X05000004,X01000004,X01000004,54.0,-3.0\n';
const SPEND = 'Date,Supplier Name,Supplier ID,Amount,Expense Type,Transaction Number\n'
  + '01/05/2024,Alpha Catering Ltd,A1,1000.00,Catering,T1\n02/05/2024,Beta Builders Ltd,B1,3000.00,Building works,T2\n'
  + '03/05/2024,Delta Software plc,D1,2500.00,ICT,T3\n04/05/2024,Harbour IT Ltd,H1,750.00,ICT,T4\n';
const SUPPLIERS = 'Supplier ID,Supplier Name,Postcode,Branch Postcodes,Supplier Type,Category\n'
  + 'A1,Alpha Catering Ltd,XL1 1AA,,SME,Catering\nB1,Beta Builders Ltd,XK1 1AA,XL1 2AB,Large,Building works\n'
  + 'D1,Delta Software plc,XK1 1AA,,Large,ICT\nH1,Harbour IT Ltd,XL1 2AB,,SME,ICT\n';

suite('a council\'s first day in chromium, from an empty database', () => {
  const lv = useLevers({ empty: true });

  /// Checks the current page at 1280 px and at 390 px (a phone), then goes back to 1280 px.
  async function checkBoth(name) {
    await lv.page.setViewportSize({ width: 1280, height: 900 });
    await lv.checkPage(`first-day-${name}-1280`);
    await lv.page.setViewportSize({ width: 390, height: 844 });
    // Nothing wider than the phone except inside a scrolling region.
    const overflow = await lv.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${name}: the page is ${overflow}px wider than a 390px phone`);
    await lv.checkPage(`first-day-${name}-390`);
    await lv.page.setViewportSize({ width: 1280, height: 900 });
  }

  async function stepsDone() {
    const text = await lv.page.locator('main').innerText();
    return Number(/(\d) of 6/.exec(text)?.[1]);
  }

  it('shows the first admin the first steps, none done, and explains the empty analysis', async () => {
    await lv.signIn();
    await lv.goto('/');
    const main = await lv.page.locator('main').innerText();
    assert.match(main, /First steps/);
    assert.equal(await stepsDone(), 0);
    for (const step of ['Load geography', "Set the council's areas", 'Import spending', 'Import supplier records', 'Set up a community budget', 'Start the co-production register']) {
      assert.ok(main.includes(step), step);
    }
    assert.equal(await lv.page.getByText('Not done yet').count(), 6);
    await checkBoth('home-empty');
    await lv.goto('/procurement/analysis');
    assert.match(await lv.page.locator('main').innerText(), /No spending imported yet/);
    await checkBoth('analysis-empty');
    await lv.goto('/admin/settings');
    assert.match(await lv.page.locator('main').innerText(), /No geography is loaded yet/);
  });

  it('loads geography with the CLI and chooses the areas from the loaded districts', async () => {
    const iod = path.join(lv.dir, 'iod.csv');
    const onspd = path.join(lv.dir, 'onspd.csv');
    await writeFile(iod, IOD);
    await writeFile(onspd, ONSPD);
    await runLevers(['geo', 'import', iod, onspd, '--database', lv.server.database], { cwd: lv.dir });
    await lv.goto('/admin/setup');
    assert.equal(await stepsDone(), 1);
    await checkBoth('setup-geography');

    await lv.goto('/admin/settings');
    const page = lv.page;
    await page.getByLabel('Council name').fill('Lhaven Council');
    await page.getByLabel('Public address (optional)').fill('https://levers.lhaven.example');
    await page.locator('#local-X07000001').check();
    await page.locator('#wider-X07000002').check();
    await page.getByLabel('The wider area: name (optional)').fill('Lhaven and Shore');
    await checkBoth('settings');
    await Promise.all([page.waitForURL('**/admin/settings?done=saved'), page.getByRole('button', { name: 'Save settings' }).click()]);
    assert.match(await page.locator('main').innerText(), /Settings saved/);
    assert.ok(await page.locator('#local-X07000001').isChecked());
    assert.ok(await page.locator('#wider-X07000001').isChecked(), 'the wider area includes the local one');
    await lv.goto('/admin/setup');
    assert.equal(await stepsDone(), 2);
  });

  it('uploads a spending file that imports as a background job, then the supplier records', async () => {
    const page = lv.page;
    const file = path.join(lv.dir, 'lhaven-2024-05.csv');
    await writeFile(file, SPEND);
    await lv.goto('/procurement/upload');
    await page.getByLabel('Published by').fill('Lhaven Council');
    await page.getByLabel('Spending file').setInputFiles(file);
    await Promise.all([page.waitForURL('**/procurement/upload/**'), page.getByRole('button', { name: 'Check the file' }).click()]);
    await checkBoth('spend-review');
    // The import answers at once with the job's page, which refreshes itself on to the import.
    const seen = [];
    page.on('framenavigated', (f) => { if (f === page.mainFrame()) seen.push(f.url()); });
    await Promise.all([
      page.waitForURL('**/procurement/imports/**', { timeout: 20000 }),
      page.getByRole('button', { name: /Import 4 payments/ }).click(),
    ]);
    assert.ok(seen.some((u) => /\/jobs\/\d+$/.test(u)), `went through the job page: ${seen.join(', ')}`);
    lv.resetProblems();
    assert.match(await page.locator('main').innerText(), /Undo this import/);
    await checkBoth('spend-imported');

    const creditors = path.join(lv.dir, 'creditors.csv');
    await writeFile(creditors, SUPPLIERS);
    await lv.goto('/procurement/suppliers');
    await page.getByLabel('Body', { exact: true }).fill('Lhaven Council');
    await page.getByLabel('Supplier file').setInputFiles(creditors);
    await Promise.all([
      page.waitForURL(/\/procurement\/suppliers\?.*import=\d+/, { timeout: 20000 }),
      page.getByRole('button', { name: 'Import the supplier records' }).click(),
    ]);
    lv.resetProblems();
    assert.match(await page.locator('main').innerText(), /4 suppliers kept/);
    await lv.goto('/admin/setup');
    assert.equal(await stepsDone(), 4);
  });

  it('starts a community budget and the co-production register, and every step is done', async () => {
    const page = lv.page;
    await lv.goto('/community-budgets/new');
    await page.locator('#name').fill('Lhaven community budget');
    await page.locator('#area_name').fill('Lhaven');
    await page.locator('#area_kind-wards').check();
    await page.locator('#area_codes').fill('X05000001, X05000002');
    await page.locator('#pot').fill('20,000');
    await page.locator('#bt-approval').check();
    await page.locator('#max_choices').fill('3');
    await page.locator('#rule-equal_shares').check();
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Create' }).click()]);
    assert.equal(await page.locator('.lv-error-summary').count(), 0, await page.locator('main').innerText());

    await lv.goto('/co-production/register/new');
    await page.getByLabel('Reference', { exact: true }).fill('ASC-001');
    await page.getByLabel('Service', { exact: true }).fill('Home care');
    await page.getByLabel('Directorate', { exact: true }).fill("Adults' Social Care");
    await page.getByLabel('Estimated annual value (£)').fill('6,200,000');
    await page.locator('input[name="current_stage"]').first().check();
    await page.getByLabel('Date the activity started').fill('2025-04-01');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Save the activity' }).click()]);
    assert.equal(await page.locator('.lv-error-summary').count(), 0, await page.locator('main').innerText());

    await lv.goto('/admin/setup');
    assert.equal(await stepsDone(), 6);
    assert.equal(await page.getByText('Not done yet').count(), 0);
    await checkBoth('setup-done');
    // Every step done: the home page no longer lists them.
    await lv.goto('/');
    assert.doesNotMatch(await page.locator('main').innerText(), /First steps/);
  });

  it('opens the first dashboard on the home council with a rounded summary and readable charts', async () => {
    const page = lv.page;
    await lv.goto('/procurement/analysis');
    const main = await page.locator('main').innerText();
    assert.match(main, /analysis of Lhaven Council's payments/);
    assert.match(main, /Spent in Lhaven/);
    assert.match(main, /Leaks out of Lhaven and Shore/);
    assert.ok(await page.locator('input[name="body"][value="Lhaven Council"]').isChecked());
    assert.ok((await page.locator('svg.lv-chart').count()) >= 3);
    await checkBoth('dashboard');
    // At 390 px no chart text is smaller than 11 px.
    await page.setViewportSize({ width: 390, height: 844 });
    const smallest = await page.evaluate(() => Math.min(...[...document.querySelectorAll('svg.lv-chart text')]
      .map((t) => t.getBoundingClientRect().height).filter((h) => h > 0)));
    assert.ok(smallest >= 11, `chart text ${smallest.toFixed(1)}px high at 390px`);
    await page.setViewportSize({ width: 1280, height: 900 });
  });
});
