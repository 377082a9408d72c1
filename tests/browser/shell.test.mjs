// Browser test for the levers web shell.
//
// Starts `levers demo` on a fresh SQLite file and a free port, drives Debian's chromium through
// playwright-core, signs in with the keyboard only, changes the one-time password, visits every
// page of the shell, runs axe-core on each (zero violations allowed), saves a full-page screenshot
// of each into screenshots/, then signs out.
//
// Run with ./run.sh, or: node --test --test-reporter=spec shell.test.mjs
// Environment:
//   LEVERS_BIN  the levers binary (default ../../target/debug/levers, relative to this file)
//   CHROMIUM    the chromium binary (default /usr/bin/chromium)
//   CI          when "true" a missing chromium fails the run; otherwise the tests are skipped

import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import {
  AXE_OPTIONS, CHROMIUM, CHROMIUM_ARGS, FOCUS_YELLOW, NEW_PASSWORD, SCREENSHOTS,
  formatViolations, startLevers, stopLevers, suite,
} from './harness.mjs';

const require = createRequire(import.meta.url);
const NEW_USER_EMAIL = 'browser.officer@levermouth.example';

suite('levers web shell in chromium', shellTests);


function shellTests() {
  let tmp;
  let server;
  let browser;
  let context;
  let page;
  let axeSource;
  // Problems the page itself reports (console errors, failed sub-resources), reset per page check.
  let pageProblems = [];

  // Never leave the server behind: on normal exit, and on Ctrl-C or a runner's SIGTERM.
  const killOnExit = () => { if (server && !server.exited) server.child.kill('SIGKILL'); };
  const onSignal = (signal) => {
    killOnExit();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };

  before(async () => {
    axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
    await mkdir(SCREENSHOTS, { recursive: true });
    tmp = await mkdtemp(path.join(tmpdir(), 'levers-browser-'));
    process.on('exit', killOnExit);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    server = await startLevers(tmp);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: 20000,
    });
    context = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'en-GB' });
    context.setDefaultTimeout(10000);
    context.setDefaultNavigationTimeout(15000);
    page = await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageProblems.push(`console error: ${msg.text()}`);
    });
    page.on('pageerror', (err) => pageProblems.push(`page error: ${err.message}`));
    page.on('requestfailed', (req) => pageProblems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
    page.on('response', (resp) => {
      const req = resp.request();
      if (resp.status() >= 400 && !(req.isNavigationRequest() && req.frame() === page.mainFrame())) {
        pageProblems.push(`sub-resource ${req.url()} answered ${resp.status()}`);
      }
    });
  });

  after(async () => {
    try {
      if (browser) await browser.close();
    } finally {
      await stopLevers(server);
      process.off('exit', killOnExit);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (tmp) await rm(tmp, { recursive: true, force: true });
    }
  });

  const url = (p) => `${server.base}${p}`;

  async function goto(p, expectStatus = 200) {
    pageProblems = [];
    const resp = await page.goto(url(p), { waitUntil: 'load' });
    assert.ok(resp, `no response for ${p}`);
    assert.equal(resp.status(), expectStatus, `GET ${p} answered ${resp.status()}, expected ${expectStatus} (now at ${page.url()})`);
    return resp;
  }

  // Screenshot, then axe, then the page's own problems. The screenshot comes first so a failing
  // page still leaves a picture behind.
  async function checkPage(name, { allowMainDocumentError = false } = {}) {
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
    const title = await page.title();
    assert.match(title, /levers/, `${name}: the <title> should name the service, got ${JSON.stringify(title)}`);
    assert.equal(await page.locator('h1').count(), 1, `${name}: expected exactly one <h1>`);
    if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
      await page.evaluate(axeSource);
    }
    const results = await page.evaluate((opts) => window.axe.run(document, opts), AXE_OPTIONS);
    if (results.violations.length) {
      assert.fail(formatViolations(name, page.url(), results.violations));
    }
    let problems = pageProblems;
    if (allowMainDocumentError) {
      // Chromium logs the main document's own 4xx status as a console error.
      problems = problems.filter((p) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(p));
    }
    assert.deepEqual(problems, [], `${name}: the page reported problems`);
  }

  // What the browser would paint around the focused element.
  async function focusInfo() {
    return page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const cs = getComputedStyle(el);
      const rect = el.getBoundingClientRect();
      return {
        tag: el.tagName.toLowerCase(),
        id: el.id,
        type: el.getAttribute('type'),
        className: el.className,
        text: (el.textContent || '').trim().replace(/\s+/g, ' '),
        href: el.getAttribute('href'),
        focusVisible: el.matches(':focus-visible'),
        outlineColor: cs.outlineColor,
        outlineStyle: cs.outlineStyle,
        outlineWidth: cs.outlineWidth,
        backgroundColor: cs.backgroundColor,
        boxShadow: cs.boxShadow,
        rect: { left: rect.left, top: rect.top, width: rect.width, height: rect.height },
        viewport: { width: innerWidth, height: innerHeight },
      };
    });
  }

  function describeFocus(f) {
    if (!f) return 'nothing (document body)';
    return `<${f.tag}${f.id ? ` id="${f.id}"` : ''}${f.className ? ` class="${f.className}"` : ''}> "${f.text}"`;
  }

  // A visible focus indicator in the levers style: yellow background on links and buttons, a
  // 3px yellow outline on form fields.
  function assertFocusIndicator(f) {
    assert.ok(f, 'nothing has focus');
    assert.ok(f.focusVisible, `${describeFocus(f)} has focus but does not match :focus-visible`);
    assert.ok(f.rect.width > 0 && f.rect.height > 0, `${describeFocus(f)} has no size`);
    assert.ok(
      f.rect.left >= 0 && f.rect.top >= 0 && f.rect.left + f.rect.width <= f.viewport.width,
      `${describeFocus(f)} is focused but off screen at ${JSON.stringify(f.rect)}`,
    );
    if (f.tag === 'input' || f.tag === 'select' || f.tag === 'textarea') {
      assert.equal(f.outlineColor, FOCUS_YELLOW, `${describeFocus(f)}: focus outline colour`);
      assert.equal(f.outlineStyle, 'solid', `${describeFocus(f)}: focus outline style`);
      assert.ok(parseFloat(f.outlineWidth) >= 2, `${describeFocus(f)}: focus outline is ${f.outlineWidth}, expected at least 2px`);
    } else {
      assert.equal(f.backgroundColor, FOCUS_YELLOW, `${describeFocus(f)}: focus background colour`);
    }
  }

  // --- Anonymous ------------------------------------------------------------------------------

  it('anonymous home page', async () => {
    await goto('/');
    await assert.doesNotReject(page.getByRole('link', { name: 'Sign in' }).first().waitFor());
    await checkPage('home-anonymous');
  });

  it('anonymous 404 page', async () => {
    await goto('/no-such-page', 404);
    await checkPage('not-found-anonymous', { allowMainDocumentError: true });
  });

  it('admin pages redirect anonymous visitors to sign in', async () => {
    await goto('/admin');
    assert.equal(new URL(page.url()).pathname, '/sign-in');
  });

  it('sign-in page with validation errors (empty form)', async () => {
    await goto('/sign-in');
    pageProblems = [];
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    const summary = page.locator('.lv-error-summary');
    await summary.waitFor();
    assert.match(await summary.innerText(), /There is a problem/);
    assert.match(await page.title(), /^Error: /, 'an error page title should start with "Error: "');
    await checkPage('sign-in-errors', { allowMainDocumentError: true });
  });

  it('sign-in: the skip link is the first Tab stop and is visible when focused', async () => {
    await goto('/sign-in');
    const skip = page.locator('a.lv-skip-link');
    const hidden = await skip.boundingBox();
    assert.ok(hidden && hidden.x + hidden.width <= 0, `the skip link should be off screen until focused, box ${JSON.stringify(hidden)}`);
    await page.keyboard.press('Tab');
    const f = await focusInfo();
    assert.equal(f?.href, '#main-content', `first Tab stop should be the skip link, got ${describeFocus(f)}`);
    assert.equal(f.text, 'Skip to main content');
    assertFocusIndicator(f);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'sign-in-skip-link.png') });
    // Following it moves focus into <main>: the next Tab lands on the first field.
    await page.keyboard.press('Enter');
    assert.equal(new URL(page.url()).hash, '#main-content');
    await page.keyboard.press('Tab');
    const next = await focusInfo();
    assert.equal(next?.id, 'email', `after the skip link, Tab should reach the email field, got ${describeFocus(next)}`);
  });

  it('keyboard-only sign-in with visible focus', async () => {
    await goto('/sign-in');
    // Tab from the top of the page to the email field, checking every stop on the way.
    const stops = [];
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press('Tab');
      const f = await focusInfo();
      stops.push(f);
      assertFocusIndicator(f);
      if (f.id === 'email') break;
    }
    assert.equal(stops[0].href, '#main-content', 'the skip link should be the first Tab stop');
    assert.equal(stops.at(-1).id, 'email', `Tab never reached the email field: ${stops.map(describeFocus).join(' → ')}`);
    await page.keyboard.type(server.email);
    await page.keyboard.press('Tab');
    let f = await focusInfo();
    assert.equal(f?.id, 'password', `Tab from email should reach the password field, got ${describeFocus(f)}`);
    assertFocusIndicator(f);
    await page.keyboard.type(server.oneTimePassword);
    await page.keyboard.press('Tab');
    f = await focusInfo();
    assert.equal(f?.text, 'Sign in', `Tab from password should reach the Sign in button, got ${describeFocus(f)}`);
    assertFocusIndicator(f);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'sign-in-keyboard.png'), fullPage: true });
    pageProblems = [];
    await Promise.all([page.waitForURL('**/account/password'), page.keyboard.press('Enter')]);
    await page.waitForLoadState('load');
    assert.match(await page.locator('main').innerText(), /one-time password/i);
    await checkPage('password-forced');
  });

  // --- Signed in ------------------------------------------------------------------------------

  it('change password with mismatched confirmation shows errors', async () => {
    await goto('/account/password');
    await page.getByLabel('Current password').fill(server.oneTimePassword);
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Confirm new password').fill(`${NEW_PASSWORD} typo`);
    pageProblems = [];
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.getByRole('button', { name: 'Change password' }).click(),
    ]);
    await page.locator('.lv-error-summary').waitFor();
    await checkPage('password-errors', { allowMainDocumentError: true });
  });

  it('change the one-time password', async () => {
    await goto('/account/password');
    await page.getByLabel('Current password').fill(server.oneTimePassword);
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
    pageProblems = [];
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.getByRole('button', { name: 'Change password' }).click(),
    ]);
    await page.getByText('Your password has been changed.').waitFor();
    await checkPage('password-changed');
  });

  const signedInPages = [
    ['home', '/'],
    ['procurement', '/procurement'],
    ['community-budgets', '/community-budgets'],
    ['co-production', '/co-production'],
    ['strategy', '/strategy'],
    ['account-password', '/account/password'],
    ['admin', '/admin'],
    ['admin-users', '/admin/users'],
    ['admin-tokens', '/admin/tokens'],
    ['admin-audit', '/admin/audit'],
    ['admin-settings', '/admin/settings'],
    ['admin-geography', '/admin/geography'],
    ['places', '/places'],
    ['place-district', '/places/X07000001'],
    ['place-ward', '/places/X05000001'],
    ['place-lsoa', '/places/X01000001'],
    ['spend-imports', '/procurement/imports'],
    ['spend-import', '/procurement/imports/1'],
    ['spend-upload', '/procurement/upload'],
  ];
  for (const [name, p] of signedInPages) {
    it(`page ${p}`, async () => {
      await goto(p);
      assert.equal(new URL(page.url()).pathname, p, `GET ${p} was redirected to ${page.url()}`);
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      await checkPage(name);
    });
  }

  it('places: a postcode typed in lower case without its space finds its page', async () => {
    await goto('/places');
    await page.getByLabel('Postcode, place name or area code').fill('xl11bf');
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.getByRole('button', { name: 'Find' }).click(),
    ]);
    assert.equal(new URL(page.url()).pathname, '/places/postcode/XL11BF');
    await page.getByRole('heading', { level: 1, name: 'XL1 1BF' }).waitFor();
    await checkPage('place-postcode');
  });

  it('places: a place name finds its page, and a district lists its wards with their deprivation', async () => {
    await goto('/places');
    await page.getByLabel('Postcode, place name or area code').fill('harbour');
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.getByRole('button', { name: 'Find' }).click(),
    ]);
    await page.getByRole('heading', { level: 1, name: 'Harbour' }).waitFor();
    await checkPage('place-by-name');
  });

  it('places: a search that is neither a postcode nor an area code shows an error', async () => {
    await goto('/places');
    await page.getByLabel('Postcode, place name or area code').fill('not a place!');
    pageProblems = [];
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.getByRole('button', { name: 'Find' }).click(),
    ]);
    await page.locator('.lv-error-summary').waitFor();
    await checkPage('places-errors', { allowMainDocumentError: true });
  });

  it('spend: upload a file, check it, import it', async () => {
    await goto('/procurement/upload');
    await page.getByLabel('Published by').fill('Browser Test Council');
    const csv = 'Title row,,\nDate,Supplier,Amount\n01/04/2024,Acme Ltd,"1,000.00"\n02/04/2024,Beta CIC,250.50\n';
    await page.getByLabel('Spending file').setInputFiles({ name: 'april.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.getByRole('button', { name: 'Check the file' }).click(),
    ]);
    assert.match(new URL(page.url()).pathname, /^\/procurement\/upload\/[0-9a-f]{64}$/);
    await page.getByText('£1,250.50').first().waitFor();
    await checkPage('spend-review');
    // The import runs as a background job: its page refreshes itself on to the import.
    await Promise.all([
      page.waitForURL(/\/procurement\/imports\/\d+$/, { timeout: 20000 }),
      page.getByRole('button', { name: 'Import 2 payments' }).click(),
    ]);
    assert.match(new URL(page.url()).pathname, /^\/procurement\/imports\/\d+$/);
    await page.getByRole('button', { name: 'Undo this import' }).waitFor();
    await checkPage('spend-imported');
  });

  it('404 page when signed in', async () => {
    await goto('/no-such-page', 404);
    await checkPage('not-found', { allowMainDocumentError: true });
  });

  it('users page: add user with no details shows errors', async () => {
    await goto('/admin/users');
    pageProblems = [];
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.getByRole('button', { name: 'Add user' }).click(),
    ]);
    await page.locator('.lv-error-summary').waitFor();
    await checkPage('admin-users-errors', { allowMainDocumentError: true });
  });

  it('users page after adding a user shows the one-time password', async () => {
    await goto('/admin/users');
    await page.locator('#email').fill(NEW_USER_EMAIL);
    await page.locator('input[name="role"][value="officer"]').check();
    pageProblems = [];
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.getByRole('button', { name: 'Add user' }).click(),
    ]);
    const panel = page.locator('.lv-panel');
    await panel.waitFor();
    assert.match(await panel.innerText(), new RegExp(`One-time password for ${NEW_USER_EMAIL.replace(/\./g, '\\.')}`));
    assert.match(await page.locator('table').innerText(), new RegExp(NEW_USER_EMAIL.replace(/\./g, '\\.')));
    await checkPage('admin-users-added');
  });

  it('tokens page: issue with no name shows errors', async () => {
    await goto('/admin/tokens');
    pageProblems = [];
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.getByRole('button', { name: 'Issue token' }).click(),
    ]);
    await page.locator('.lv-error-summary').waitFor();
    await checkPage('admin-tokens-errors', { allowMainDocumentError: true });
  });

  it('tokens page after issuing a token', async () => {
    await goto('/admin/tokens');
    await page.locator('#name').fill('Browser test import');
    await page.locator('#user_id').selectOption({ index: 0 });
    pageProblems = [];
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.getByRole('button', { name: 'Issue token' }).click(),
    ]);
    const panel = page.locator('.lv-panel');
    await panel.waitFor();
    assert.match(await panel.innerText(), /New API token/);
    assert.match(await page.locator('table').innerText(), /Browser test import/);
    await checkPage('admin-tokens-issued');
  });

  it('settings page: empty council name shows errors', async () => {
    await goto('/admin/settings');
    await page.locator('#council_name').fill('');
    pageProblems = [];
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.getByRole('button', { name: 'Save settings' }).click(),
    ]);
    await page.locator('.lv-error-summary').waitFor();
    await checkPage('admin-settings-errors', { allowMainDocumentError: true });
  });

  it('settings page after saving', async () => {
    await goto('/admin/settings');
    const current = await page.locator('#council_name').inputValue();
    pageProblems = [];
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.getByRole('button', { name: 'Save settings' }).click(),
    ]);
    await page.getByText('Settings saved.').waitFor();
    assert.equal(await page.locator('#council_name').inputValue(), current);
    await checkPage('admin-settings-saved');
  });

  it('audit log records the changes made above', async () => {
    await goto('/admin/audit');
    const text = await page.locator('table').innerText();
    assert.match(text, new RegExp(NEW_USER_EMAIL.replace(/\./g, '\\.')));
    await checkPage('admin-audit-after');
  });

  it('sign out with the header button', async () => {
    await goto('/');
    pageProblems = [];
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/sign-in'),
      page.getByRole('button', { name: 'Sign out' }).click(),
    ]);
    await page.waitForLoadState('load');
    await page.getByText('You have signed out').waitFor();
    await checkPage('signed-out');
  });

  it('after signing out, /admin redirects to sign in', async () => {
    await goto('/admin');
    assert.equal(new URL(page.url()).pathname, '/sign-in', `/admin after sign-out should redirect to sign-in, got ${page.url()}`);
    assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0, 'the header should not offer Sign out any more');
  });
}
