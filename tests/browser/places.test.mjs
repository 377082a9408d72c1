// Browser test of the place view: from Places to "Where the levers land" (the council's figures,
// reach into the most deprived neighbourhoods, maps with their tables), a map area reached with the
// keyboard, a ward, its neighbourhoods, and the ward's printable profile. axe-core on every page:
// zero violations. Run with ./run.sh, or: node --test places.test.mjs

import { it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { suite, useLevers, SCREENSHOTS, FOCUS_YELLOW } from './harness.mjs';

suite('place view in chromium', () => {
  const lv = useLevers();

  it('shows the council place view with maps, tables and reach', async () => {
    const page = lv.page;
    await lv.signIn();
    await lv.goto('/places');
    await Promise.all([page.waitForURL('**/places/levers'), page.getByRole('link', { name: 'Where the levers land' }).click()]);
    const main = await page.locator('main').innerText();
    assert.match(main, /Levermouth Borough Council/);
    assert.match(main, /Do the most deprived neighbourhoods get their share\?/);
    assert.match(main, /concentration index/);
    assert.match(main, /Spend with suppliers based here, 2024\/25/);
    // One ward has no boundary: the map says so instead of drawing it.
    assert.match(main, /Not on the map \(no boundary with this code\):[^\n]*Ashby Moor/);
    assert.equal(await page.locator('svg.lv-map').count(), 2);
    await lv.checkPage('places-council');

    // The map's areas are links in the tab order, and focus shows.
    const first = page.locator('svg.lv-map a').first();
    await first.focus();
    assert.equal(await first.evaluate((a) => a === document.activeElement), true);
    const fill = await first.locator('path').evaluate((p) => getComputedStyle(p).fill);
    assert.equal(fill, FOCUS_YELLOW);

    // Another lever on the map, chosen without JavaScript.
    await page.getByLabel('Lever to map').selectOption('pb');
    await Promise.all([page.waitForURL('**map=pb*'), page.getByRole('button', { name: 'Show map' }).click()]);
    assert.match(await page.locator('main').innerText(), /Community budget money for funded projects by ward/);
    await lv.checkPage('places-council-pb-map');
  });

  it('goes to a ward and its printable profile', async () => {
    const page = lv.page;
    await lv.goto('/places/levers');
    await Promise.all([
      page.waitForURL('**/places/levers/X05*'),
      page.getByRole('region', { name: 'Wards' }).getByRole('link', { name: 'Harbour' }).click(),
    ]);
    const main = await page.locator('main').innerText();
    assert.match(main, /Harbour/);
    assert.match(main, /Neighbourhoods in the most deprived 20% \(IMD 2019\)\s+6 of 6/);
    await lv.checkPage('places-ward');
    await Promise.all([page.waitForURL('**/places/profile/X05*'), page.getByRole('link', { name: /Ward profile for councillors/ }).click()]);
    const profile = await page.locator('main').innerText();
    assert.match(profile, /Ward profile for councillors/);
    assert.match(profile, /Co-production participants living here\s+12/);
    await lv.checkPage('places-ward-profile');
    await page.emulateMedia({ media: 'print' });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'places-ward-profile-print.png'), fullPage: true });
    assert.equal(await page.locator('nav.lv-service-nav, .lv-service-nav').first().isVisible().catch(() => false), false);
    await page.emulateMedia({ media: 'screen' });
  });

  it('an officer chooses where a commissioning activity is from the loaded geography', async () => {
    const page = lv.page;
    await lv.goto('/co-production/register/2');
    await Promise.all([page.waitForURL('**/places/set/activity/2'), page.getByRole('link', { name: /Choose where the activity is on the map/ }).click()]);
    await lv.checkPage('places-set-activity');
    await page.getByLabel('Place').selectOption({ label: 'Old Town (ward)' });
    await Promise.all([page.waitForURL('**/co-production/register/2'), page.getByRole('button', { name: 'Save the place' }).click()]);
    await lv.goto('/places/set/activity/2');
    assert.match(await page.locator('main').innerText(), /Recorded now: Old Town \(ward\)/);
  });
});
