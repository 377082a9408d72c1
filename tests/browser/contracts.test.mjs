// Browser test of the contract pipeline: the public Opportunities page (anonymous, filtered on the
// server, with its feeds), the officers' dashboard with its timeline chart and table, one
// opportunity with local suppliers and advice, an officer's correction (CSRF, audited), and the
// printable meet the buyer pack with its workbook. axe-core on every page: zero violations.
// Run with ./run.sh, or: node --test contracts.test.mjs

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { suite, useLevers } from './harness.mjs';

suite('contract pipeline in chromium', () => {
  const lv = useLevers();

  it('shows the public Opportunities page without signing in, filtered, with feeds', async () => {
    const page = lv.page;
    await lv.goto('/opportunities');
    const main = await page.locator('main').innerText();
    for (const t of ['Community food programme', 'School meals', 'Household waste and recycling collection']) assert.match(main, new RegExp(t));
    assert.doesNotMatch(main, /Council ICT managed service/, 'a contract ending after 18 months is not listed');
    await lv.checkPage('opportunities-public');
    await page.getByLabel('Words in the title, buyer or category').fill('catering');
    await Promise.all([page.waitForURL('**/opportunities?*'), page.getByRole('button', { name: 'Filter' }).click()]);
    const filtered = await page.locator('main').innerText();
    assert.match(filtered, /School meals/);
    assert.doesNotMatch(filtered, /Community food programme/);
    await lv.checkPage('opportunities-filtered');
    await page.getByLabel('Largest value (£)').fill('lots');
    await Promise.all([page.waitForURL('**/opportunities?*'), page.getByRole('button', { name: 'Filter' }).click()]);
    assert.match(await page.locator('main').innerText(), /Enter an amount in pounds/);
    await lv.checkPage('opportunities-bad-filter');
    const atom = await (await fetch(lv.url('/opportunities.atom'))).text();
    assert.match(atom, /<feed xmlns="http:\/\/www.w3.org\/2005\/Atom">/);
    assert.match(atom, /Community food programme/);
    const feed = await (await fetch(lv.url('/opportunities.json'))).json();
    assert.equal(feed.version, 'https://jsonfeed.org/version/1.1');
    assert.ok(feed.items.some((i) => i.title === 'School meals' && i._levers.value_pence === 16000000));
  });

  it('shows officers the pipeline dashboard with its chart and table, leaking sectors first', async () => {
    const page = lv.page;
    await lv.signIn();
    await lv.goto('/procurement');
    await Promise.all([page.waitForURL('**/procurement/contracts'), page.getByRole('link', { name: 'Contract pipeline' }).click()]);
    assert.equal(await page.locator('svg.lv-chart').count(), 1);
    const table = page.getByRole('table', { name: /opportunities, leaking sectors first/ });
    const first = await table.locator('tbody tr').first().innerText();
    assert.match(first, /Household waste and recycling collection/);
    assert.match(first, /goes to suppliers outside the wider area/);
    await lv.checkPage('contracts-dashboard');
  });

  it('shows who locally could bid and how to buy it, and takes an officer correction', async () => {
    const page = lv.page;
    await lv.goto('/procurement/contracts');
    await Promise.all([page.waitForURL('**/opportunity?*'), page.getByRole('link', { name: 'Community food programme' }).click()]);
    const main = await page.locator('main').innerText();
    assert.match(main, /Coast & Vale Mental Health Charity/);
    assert.match(main, /Reserve it for suppliers in the area/);
    assert.match(main, /Exclusion of Non-commercial Considerations/);
    assert.match(main, /No official concordance exists/);
    await lv.checkPage('contracts-opportunity');
    await page.getByLabel('Supplier', { exact: true }).selectOption({ label: 'Harbour Community Trust' });
    await page.getByLabel('Why (optional)').fill('runs the community larder');
    await Promise.all([page.waitForURL('**done=1'), page.getByRole('button', { name: 'Add to the matches' }).click()]);
    const after = await page.locator('main').innerText();
    assert.match(after, /Correction saved/);
    assert.match(after, /Added by an officer: runs the community larder/);
    await lv.checkPage('contracts-opportunity-corrected');
  });

  it('prints a meet the buyer pack and downloads it as a workbook', async () => {
    const page = lv.page;
    await Promise.all([page.waitForURL('**/pack?*'), page.getByRole('link', { name: 'Meet the buyer pack' }).click()]);
    const main = await page.locator('main').innerText();
    assert.match(main, /Local suppliers and charities to invite/);
    assert.match(main, /Harbour Community Trust/);
    await lv.checkPage('contracts-pack');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'This pack as a workbook (XLSX)' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /\.xlsx$/);
  });
});
