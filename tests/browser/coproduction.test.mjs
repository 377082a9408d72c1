// Browser test of co-production: an officer (the demo admin) finds the register from the section
// page, records an involvement at a stage of an activity (with a validation error first), reads the
// coverage dashboard and the principles self-assessment, adds a participant, records their
// participation and issues time credits, and visits the credits, statement, erasure and import pages.
// axe-core on every page: zero violations. Run with ./run.sh, or: node --test coproduction.test.mjs

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { suite, useLevers } from './harness.mjs';

suite('co-production in chromium', () => {
  const lv = useLevers();

  it('finds the register from the co-production section', async () => {
    await lv.signIn();
    await lv.goto('/co-production');
    await lv.checkPage('cp-section');
    await Promise.all([lv.page.waitForURL('**/co-production/register'), lv.page.getByRole('link', { name: 'Co-production register' }).click()]);
    const main = await lv.page.locator('main').innerText();
    assert.match(main, /40 commissioning activities/);
    await lv.checkPage('cp-register');
  });

  it('records an involvement at the Plan stage of an activity', async () => {
    const page = lv.page;
    await Promise.all([page.waitForURL(/\/co-production\/register\/\d+$/), page.getByRole('link', { name: 'Home care', exact: true }).click()]);
    await lv.checkPage('cp-activity');
    await Promise.all([page.waitForURL('**/involvements/new?stage=plan'), page.getByRole('link', { name: 'Record an involvement at the Plan stage' }).click()]);
    await lv.checkPage('cp-involvement-form');
    // Without a rung the form comes back with the problem linked to the field.
    lv.resetProblems();
    await page.getByRole('button', { name: 'Save the involvement' }).click();
    await page.getByText('There is a problem').waitFor();
    assert.match(await page.title(), /^Error: /);
    await lv.checkPage('cp-involvement-error', { allowMainDocumentError: true });
    await page.getByLabel(/^Co-design:/).check();
    await page.getByLabel('Methods').fill('design workshops; peer research');
    await page.getByLabel('Participant groups').fill('people who use home care; carers');
    await page.getByLabel('People with lived experience of poverty took part').check();
    await page.getByLabel('How many people took part').fill('9');
    await page.getByLabel('Total hours people gave').fill('27');
    await page.getByLabel('Decisions their involvement influenced').fill('The outcomes in the new home care specification');
    await page.getByLabel('You said, we did').fill('You said visits were too rushed; we specified 45-minute minimum calls');
    lv.resetProblems();
    await Promise.all([page.waitForURL(/\/co-production\/register\/\d+\?saved=1$/), page.getByRole('button', { name: 'Save the involvement' }).click()]);
    const main = await page.locator('main').innerText();
    assert.match(main, /Saved/);
    assert.match(main, /You said visits were too rushed/);
    assert.match(main, /2 of 4/, 'Home care is now co-produced at Plan as well as Do');
    await lv.checkPage('cp-activity-saved');
  });

  it('shows coverage with charts and tables, and the principles', async () => {
    await lv.goto('/co-production/coverage');
    assert.ok(await lv.page.locator('svg.lv-chart').count() >= 4, 'four charts');
    assert.ok(await lv.page.locator('table').count() >= 4, 'each chart has its table');
    await lv.checkPage('cp-coverage');
    await lv.goto('/co-production/principles');
    assert.match(await lv.page.locator('main').innerText(), /Boyle and Michael Harris/);
    await lv.checkPage('cp-principles');
    await lv.goto('/co-production/principles/new');
    await lv.checkPage('cp-assessment-form');
  });

  it('adds a participant, records their participation and issues credits', async () => {
    const page = lv.page;
    await lv.goto('/co-production/participants');
    await lv.checkPage('cp-participants');
    await page.getByLabel('Name or pseudonym').fill('Robin');
    await page.getByLabel('Time credits', { exact: true }).check();
    lv.resetProblems();
    await Promise.all([page.waitForURL(/\/co-production\/participants\/\d+\?saved=1$/), page.getByRole('button', { name: 'Add the participant' }).click()]);
    await lv.checkPage('cp-participant-new');
    const involvement = page.getByLabel('Involvement they took part in');
    const option = await involvement.locator('option', { hasText: 'Home care (ASC-001): Plan, Co-design' }).first().getAttribute('value');
    await involvement.selectOption(option);
    await page.getByLabel('Hours', { exact: true }).fill('2');
    await page.getByLabel('Minutes', { exact: true }).fill('0');
    lv.resetProblems();
    await Promise.all([page.waitForURL('**?saved=issued'), page.getByRole('button', { name: 'Record and issue credits' }).click()]);
    const main = await page.locator('main').innerText();
    assert.match(main, /Participation recorded and credits issued/);
    assert.match(main, /Issued for participation/);
    assert.match(main, /Home care \(ASC-001\), Plan/);
    await lv.checkPage('cp-participant-credited');
    // Spend one at a venue.
    await page.getByLabel('Credits spent').fill('1');
    lv.resetProblems();
    await Promise.all([page.waitForURL('**?saved=spent'), page.getByRole('button', { name: 'Spend the credits' }).click()]);
    assert.match(await page.locator('main').innerText(), /Spent at a venue/);
    await lv.checkPage('cp-participant-spent');
    await Promise.all([page.waitForURL(/\/co-production\/credits\/accounts\/\d+$/), page.getByRole('link', { name: /^Statement/ }).click()]);
    await lv.checkPage('cp-statement');
  });

  it('visits the credits, erasure and import pages', async () => {
    await lv.goto('/co-production/credits');
    assert.match(await lv.page.locator('main').innerText(), /Community pot/);
    await lv.checkPage('cp-credits');
    await lv.goto('/co-production/erasure');
    await lv.checkPage('cp-erasure');
    await lv.goto('/co-production/register/import');
    await lv.checkPage('cp-import');
  });
});
