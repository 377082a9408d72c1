// Browser test of the uploads that run as background jobs (issue 20), from an EMPTY database: the
// first admin follows the first steps' "Upload geography files" to the geography page, uploads the
// postcode directory, the deprivation file and the ward lookup (each goes through its job page to
// the dataset's page with its reconciliation), sees a file that is not geography fail with its name
// on the job's page, uploads an indicator file, and imports a co-production register file and OCDS
// contract notices through their jobs to the stored results. Each page at 1280 px and 390 px, with a screenshot and zero axe
// violations. Run with ./run.sh, or: node --test uploads.test.mjs

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite, useLevers } from './harness.mjs';

const IOD = 'LSOA code (2011),LSOA name (2011),Local Authority District code (2019),Local Authority District name (2019),Index of Multiple Deprivation (IMD) Rank,Index of Multiple Deprivation (IMD) Decile\n'
  + 'X01000001,Lhaven 001A,X07000001,Lhaven,"1,000",1\nX01000002,Lhaven 002A,X07000001,Lhaven,"15,000",5\n'
  + 'X01000003,Shore 001A,X07000002,Shore,"5,000",2\nX01000004,Kell 001A,X07000003,Kell,not a rank,1\n';
const ONSPD = 'pcd,pcds,doterm,oslaua,osward,lsoa11,lsoa21,lat,long\n'
  + 'XL11AA,XL1 1AA,,X07000001,X05000001,X01000001,X01000001,54.0,-3.0\nXL12AB,XL1 2AB,,X07000001,X05000002,X01000002,X01000002,54.0,-3.0\n'
  + 'XS11AA,XS1 1AA,,X07000002,X05000003,X01000003,X01000003,54.0,-3.0\n';
const WARDS = 'LSOA21CD,WD24CD,WD24NM,LAD24CD\n'
  + 'X01000001,X05000001,Harbour,X07000001\nX01000002,X05000002,Hill,X07000001\nX01000003,X05000003,Shore,X07000002\n';
const INDICATORS = 'area_code,area_name,period,indicator,measure,unit,value\n'
  + 'X07000001,Lhaven,2024/25,Children in low income families,Percentage,Persons,21.5\n'
  + 'X07000002,Shore,2024/25,Children in low income families,Percentage,Persons,14.0\n';
const REGISTER = 'reference,service,directorate,annual_value,current_stage,started_on,stage,rung,lead,held_on\n'
  + 'ASC-1,Home care,Adults,1200000,do,2025-04-01,analyse,co-design,council,2025-05-01\n'
  + 'CH-2,Youth clubs,Children,50000,plan,2025-04-01,plan,tokenism,council,2025-05-01\n';

const NOTICES = JSON.stringify({ uri: 'x', releases: [
  { ocid: 'ocds-t-1', id: 'r1', date: '2026-10-01T09:00:00Z', tag: ['tender'], tender: { id: 'T1', title: 'School meals', status: 'active', value: { amount: 120000, currency: 'GBP' } } },
  { ocid: 'ocds-t-1', id: 'r1', date: '2026-10-01T09:00:00Z', tag: ['tender'], tender: { id: 'T1', title: 'School meals', status: 'active' } },
  { ocid: 'ocds-t-2', id: 'r2', tender: 'not an object' },
  { ocid: 'ocds-t-3', id: 'r3', date: '2026-10-02T09:00:00Z', tag: ['planning'], tender: { id: 'T3', title: 'Grounds maintenance', status: 'planned' } },
] });

suite('uploads as background jobs in chromium, from an empty database', () => {
  const lv = useLevers({ empty: true });

  /// Checks the current page at 1280 px and at 390 px (a phone), then goes back to 1280 px.
  async function checkBoth(name) {
    await lv.page.setViewportSize({ width: 1280, height: 900 });
    await lv.checkPage(`uploads-${name}-1280`);
    await lv.page.setViewportSize({ width: 390, height: 844 });
    const overflow = await lv.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${name}: the page is ${overflow}px wider than a 390px phone`);
    await lv.checkPage(`uploads-${name}-390`);
    await lv.page.setViewportSize({ width: 1280, height: 900 });
  }

  /// Chooses `file` in the input labelled `label`, presses `button`, and waits for `done` having
  /// passed through a job's page; returns the main text there.
  async function uploadThroughJob(label, file, button, done) {
    const page = lv.page;
    await page.getByLabel(label, { exact: true }).setInputFiles(file);
    const seen = [];
    const onRequest = (r) => { if (r.isNavigationRequest()) seen.push(r.url()); };
    page.on('request', onRequest);
    await Promise.all([page.waitForURL(done, { timeout: 20000 }), page.getByRole('button', { name: button }).click()]);
    page.off('request', onRequest);
    assert.ok(seen.some((u) => /\/jobs\/\d+$/.test(u)), `went through the job page: ${seen.join(', ')}`);
    lv.resetProblems();
    return page.locator('main').innerText();
  }

  async function write(name, text) {
    const file = path.join(lv.dir, name);
    await writeFile(file, text);
    return file;
  }

  it('follows the first step to the geography upload and imports the files as jobs', async () => {
    const page = lv.page;
    await lv.signIn();
    await lv.goto('/admin/setup');
    await Promise.all([page.waitForURL('**/admin/geography#upload'), page.getByRole('link', { name: 'Upload geography files' }).click()]);
    lv.resetProblems();
    assert.match(await page.locator('main').innerText(), /up to 2048 MB/);
    await checkBoth('geography-empty');

    // Nothing chosen: the error sits by the geography input.
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Upload and import' }).click()]);
    lv.resetProblems();
    assert.match(await page.locator('.lv-error-summary').innerText(), /Choose a geography file/);
    await checkBoth('geography-no-file');

    await lv.goto('/admin/geography');
    const iod = await uploadThroughJob('Geography file', await write('iod.csv', IOD), 'Upload and import', /\/admin\/geography\/datasets\/\d+$/);
    assert.match(iod, /Imported iod\.csv/);
    assert.match(iod, /4 = 3 imported \+ 1 rejected \+ 0 blank/);
    assert.match(iod, /not a rank/);
    await checkBoth('geography-result');

    for (const [name, text] of [['onspd.csv', ONSPD], ['lsoa-ward.csv', WARDS]]) {
      await lv.goto('/admin/geography');
      const main = await uploadThroughJob('Geography file', await write(name, text), 'Upload and import', /\/admin\/geography\/datasets\/\d+$/);
      assert.match(main, /0 rejected/);
    }
    await lv.goto('/admin/geography');
    assert.match(await page.locator('main').innerText(), /3 datasets/);
    await lv.goto('/admin/setup');
    assert.match(await page.locator('main').innerText(), /3 files loaded/);
  });

  it('shows a file that is no geography failing on its job page, naming the file', async () => {
    const page = lv.page;
    await lv.goto('/admin/geography');
    await page.getByLabel('Geography file', { exact: true }).setInputFiles(await write('names.csv', 'name,age\nx,1\n'));
    await Promise.all([page.waitForURL(/\/jobs\/\d+$/), page.getByRole('button', { name: 'Upload and import' }).click()]);
    // It refreshes itself until the job has failed.
    await page.waitForFunction(() => !document.querySelector('meta[http-equiv="refresh"]'), null, { timeout: 20000 });
    lv.resetProblems();
    const main = await page.locator('main').innerText();
    assert.match(main, /did not finish/);
    assert.match(main, /names\.csv: not a geography file levers knows/);
    await checkBoth('geography-failed');
  });

  it('uploads official statistics next to the geography', async () => {
    await lv.goto('/admin/geography');
    const main = await uploadThroughJob('Indicator file', await write('cilif.csv', INDICATORS), 'Upload indicators', /\/admin\/indicators\/\d+$/);
    assert.match(main, /2 = 2 imported \+ 0 rejected \+ 0 blank/);
    await checkBoth('indicators-result');
  });

  it('imports a co-production register file as a job and shows what it kept and rejected', async () => {
    await lv.goto('/co-production/register/import');
    const main = await uploadThroughJob('Register file (CSV, up to 10 MB)', await write('register.csv', REGISTER), 'Import the file', /\/co-production\/register\/imports\/\d+$/);
    assert.match(main, /2 = 1 kept \+ 1 rejected \+ 0 blank/);
    assert.match(main, /rung/);
    await checkBoth('register-result');
  });

  it('imports OCDS contract notices as a job and shows every release accounted for', async () => {
    await lv.goto('/procurement/contracts/import');
    const main = await uploadThroughJob('Contract register or notices', await write('notices.json', NOTICES), 'Import the contracts', /\/procurement\/contracts\/imports\/\d+$/);
    assert.match(main, /4 releases and records read = 2 new contracts \+ 0 updated \+ 0 older \(filled gaps only\) \+ 1 seen before \+ 1 rejected \(balanced\)/);
    assert.match(main, /ocid ocds-t-2, release r2, field tender/);
    await checkBoth('contracts-result');
  });
});
