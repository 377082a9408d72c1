// Browser test of a head of policy's path through the demo, in one walk: sign in → Strategy → an
// off-track objective → where it lands (the council's place view) → the ward the objective names,
// or else the most deprived ward it lists → that ward's profile for councillors, printed to A4 →
// the cabinet report, downloaded and printed to A4. The walk runs at 1280px (a desktop) and 390px
// (a phone), with a screenshot and zero axe-core violations on every page. Then an admin publishes
// the place view and, signed out, the public reads the published strategy and the place view.
// Run with ./run.sh, or: node --test head-of-policy.test.mjs

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite, useLevers } from './harness.mjs';

suite('head of policy in chromium', () => {
  const lv = useLevers();

  for (const width of [1280, 390]) {
    it(`walks strategy → off-track objective → place view → ward → profile → printed reports at ${width}px`, async () => {
      const page = lv.page;
      await page.setViewportSize({ width, height: 900 });
      if (width === 1280) await lv.signIn();
      const at = (name) => `hop-${width}-${name}`;

      // The strategy, with its objectives by status.
      await lv.goto('/strategy');
      assert.match(await page.locator('main').innerText(), /off track/i);
      await lv.checkPage(at('strategy'));

      // An off-track objective.
      const row = page.locator('table').first().locator('tr', { hasText: 'Off track' }).first();
      await Promise.all([page.waitForURL(/\/objectives\/\d+$/), row.getByRole('link').click()]);
      const objective = await page.locator('main').innerText();
      assert.match(objective, /Off track/);
      assert.match(objective, /Where it lands/);
      await lv.checkPage(at('objective'));

      // The ward it names, else the most deprived ward it lists (first in that list).
      const named = page.locator('main ul').filter({ has: page.locator('a[href^="/places/levers/"]') }).first();
      const wardLink = named.locator('a[href^="/places/levers/E05"], a[href^="/places/levers/X05"]').first();
      const ward = (await wardLink.innerText()).replace(/ \(ward\)$/, '');
      assert.ok(ward.length > 0, 'the objective names a ward or lists the most deprived');

      // Its place view: the council's, with the ward among its wards.
      await Promise.all([page.waitForURL(/\/places\/levers$/), page.getByRole('link', { name: /Where the levers land across the council/ }).click()]);
      const council = await page.locator('main').innerText();
      assert.match(council, /Do the most deprived neighbourhoods get their share\?/);
      await lv.checkPage(at('place-view'));

      // The ward.
      await Promise.all([
        page.waitForURL(/\/places\/levers\/[EX]05/),
        page.getByRole('region', { name: 'Wards' }).getByRole('link', { name: ward, exact: true }).click(),
      ]);
      assert.equal(await page.locator('h1').innerText(), ward);
      await lv.checkPage(at('ward'));

      // Its profile for councillors, printed to A4.
      await Promise.all([page.waitForURL(/\/places\/profile\/[EX]05/), page.getByRole('link', { name: /Ward profile for councillors/ }).click()]);
      const profile = await page.locator('main').innerText();
      assert.match(profile, /Ward profile for councillors/);
      assert.match(profile, /Download these figures/);
      await lv.checkPage(at('profile'));
      await page.emulateMedia({ media: 'print' });
      try {
        await lv.checkPage(at('profile-print'));
        const pdf = await page.pdf({ format: 'A4' });
        assert.ok(pdf.length > 10_000, 'the profile prints to A4');
      } finally {
        await page.emulateMedia({ media: 'screen' });
      }
      // Its workbook downloads beside it.
      const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'XLSX workbook' }).click()]);
      assert.match(xlsx.suggestedFilename(), /^ward-profile-[EX]05\d+-.*\.xlsx$/);

      // The cabinet report, as the standalone page someone prints for cabinet.
      await lv.goto('/strategy');
      await Promise.all([page.waitForURL(/\/report$/), page.getByRole('link', { name: /The cabinet report/ }).click()]);
      await lv.checkPage(at('report'));
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /standalone page/ }).click()]);
      const file = path.join(tmpdir(), `levers-hop-report-${process.pid}-${width}.html`);
      await download.saveAs(file);
      try {
        await page.goto(`file://${file}`);
        assert.match(await page.locator('h1').innerText(), /How our levers landed/);
        await page.emulateMedia({ media: 'print' });
        await lv.checkPage(at('report-print'));
        const pdf = await page.pdf({ format: 'A4' });
        assert.ok(pdf.length > 10_000, 'the cabinet report prints to A4');
      } finally {
        await page.emulateMedia({ media: 'screen' });
        await rm(file, { force: true });
      }
    });
  }

  it('publishes the place view; the public reads the published strategy and place view without signing in', async () => {
    const page = lv.page;
    await page.setViewportSize({ width: 1280, height: 900 });
    await lv.goto('/places/levers');
    lv.resetProblems();
    await Promise.all([page.waitForURL(/\/places\/levers$/), page.getByRole('button', { name: 'Publish the place view on the public pages' }).click()]);
    assert.match(await page.locator('main').innerText(), /Published: the public can read it/);
    lv.resetProblems();
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign out' }).click()]);

    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await lv.goto('/public/strategy');
      assert.match(page.url(), /\/public\/strategy\/\d+$/);
      assert.match(await page.locator('main').innerText(), /Levermouth Tackling Poverty Together/);
      assert.equal(await page.locator('a[href^="/strategy/"]').count(), 0, 'no links to the officers\' pages');
      await lv.checkPage(`hop-public-strategy-${width}`);
      await Promise.all([page.waitForURL(/\/public\/places$/), page.getByRole('link', { name: 'Where the levers land' }).first().click()]);
      await lv.checkPage(`hop-public-places-${width}`);
      await Promise.all([
        page.waitForURL(/\/public\/places\/[EX]05/),
        page.getByRole('region', { name: 'Wards' }).getByRole('link').first().click(),
      ]);
      assert.equal(await page.locator('a[href^="/places/profile/"]').count(), 0);
      await lv.checkPage(`hop-public-ward-${width}`);
    }
  });
});
