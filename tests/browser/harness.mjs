// Shared harness for levers' browser tests: starts `levers demo` on a fresh SQLite file and a free
// port, opens Debian's chromium through playwright-core, and checks pages with axe-core (zero
// violations), a screenshot, one <h1>, a titled page and no console or sub-resource errors.
//
// Use:
//   import { suite, useLevers } from './harness.mjs';
//   suite('my pages', () => {
//     const lv = useLevers();            // registers before/after hooks
//     it('…', async () => { await lv.signIn(); await lv.goto('/x'); await lv.checkPage('x'); });
//   });
// Environment: LEVERS_BIN (default ../../target/debug/levers), CHROMIUM (default /usr/bin/chromium),
// CI=true makes a missing chromium a failure instead of a skip.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { access, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { constants as fsConstants, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export const LEVERS_BIN = process.env.LEVERS_BIN
  ? path.resolve(process.env.LEVERS_BIN)
  : path.resolve(here, '../../target/debug/levers');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const IS_CI = /^(true|1|yes)$/i.test(process.env.CI || '');
export const SCREENSHOTS = path.join(here, 'screenshots');
export const NEW_PASSWORD = 'correct horse battery staple lever';
export const FOCUS_YELLOW = 'rgb(255, 221, 0)';
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
// Every WCAG 2.x A/AA rule plus axe's best-practice rules.
export const AXE_OPTIONS = {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
  resultTypes: ['violations'],
};

async function isExecutable(file) {
  try {
    await access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const chromiumMissing = (await isExecutable(CHROMIUM))
  ? null
  : `chromium was not found or is not executable at ${CHROMIUM} (install it, e.g. apt-get install chromium, or set CHROMIUM=/path/to/chromium)`;

/// A test suite that runs only where chromium exists: outside CI a missing chromium skips it, under
/// CI=true it fails.
export function suite(name, fn) {
  if (chromiumMissing && IS_CI) {
    it(`${name}: chromium is available`, () => assert.fail(`CI=true but ${chromiumMissing}. The browser tests must run in CI.`));
  } else if (chromiumMissing) {
    it(name, { skip: `not run: ${chromiumMissing}. Outside CI this is a skip; with CI=true it fails.` }, () => {});
  } else {
    describe(name, fn);
  }
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function tail(text, n = 4000) {
  return text.length > n ? `…${text.slice(-n)}` : text;
}

/// Starts `levers demo` in `dir`; resolves once it prints its credentials and answers /healthz.
export async function startLevers(dir) {
  if (!(await isExecutable(LEVERS_BIN))) {
    throw new Error(`levers binary not found at ${LEVERS_BIN}: build it with \`cargo build -p levers\` or set LEVERS_BIN`);
  }
  const port = await freePort();
  const database = path.join(dir, 'levers-demo.db');
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LEVERS_')));
  const child = spawn(LEVERS_BIN, ['demo', '--database', database, '--bind', `127.0.0.1:${port}`], {
    cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const server = { child, port, base: `http://127.0.0.1:${port}`, stdout: '', stderr: '', exited: null };
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d) => { server.stdout += d; });
  child.stderr.on('data', (d) => { server.stderr = (server.stderr + d).slice(-20000); });
  server.exitedPromise = new Promise((resolve) => child.on('exit', (code, signal) => {
    server.exited = { code, signal };
    resolve();
  }));
  child.on('error', (e) => { server.stderr += `\nspawn error: ${e.message}`; });
  const deadline = Date.now() + 60000;
  const failure = (why) => new Error(`${why}\n--- levers stdout ---\n${tail(server.stdout)}\n--- levers stderr ---\n${tail(server.stderr)}`);
  for (;;) {
    if (server.exited) throw failure(`levers demo exited early (${JSON.stringify(server.exited)})`);
    if (Date.now() > deadline) throw failure('timed out waiting for levers demo to start');
    const email = /^\s*Email:\s*(\S+)/m.exec(server.stdout);
    const password = /^\s*One-time password:\s*(\S+)/m.exec(server.stdout);
    if (email && password) {
      server.email = email[1];
      server.oneTimePassword = password[1];
      try {
        if ((await fetch(`${server.base}/healthz`)).ok) break;
      } catch {
        // not listening yet
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return server;
}

/// Runs the levers CLI to the end (`levers user add`, `levers geo import`); resolves with its output
/// or rejects with it.
export async function runLevers(args, { cwd, env: extra = {} } = {}) {
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LEVERS_'))), ...extra };
  return new Promise((resolve, reject) => {
    const child = spawn(LEVERS_BIN, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`levers ${args.join(' ')} exited with ${code}:\n${tail(out)}`))));
  });
}

/// The first admin of an empty install, made as the README says (`levers user add`).
export const FIRST_ADMIN = { email: 'first.admin@council.example', password: 'a first admin passphrase for levers' };

/// Starts `levers serve` on an empty database in `dir`, after creating the first admin with
/// `levers user add`; resolves once it answers /healthz. The database path is `server.database`.
export async function startEmptyLevers(dir) {
  if (!(await isExecutable(LEVERS_BIN))) {
    throw new Error(`levers binary not found at ${LEVERS_BIN}: build it with \`cargo build -p levers\` or set LEVERS_BIN`);
  }
  const database = path.join(dir, 'levers.db');
  await runLevers(['user', 'add', '--email', FIRST_ADMIN.email, '--role', 'admin', '--database', database], {
    cwd: dir, env: { LEVERS_PASSWORD: FIRST_ADMIN.password },
  });
  const port = await freePort();
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LEVERS_')));
  const child = spawn(LEVERS_BIN, ['serve', '--database', database, '--bind', `127.0.0.1:${port}`], {
    cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const server = {
    child, port, base: `http://127.0.0.1:${port}`, stdout: '', stderr: '', exited: null, database,
    email: FIRST_ADMIN.email, password: FIRST_ADMIN.password, empty: true,
  };
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d) => { server.stdout += d; });
  child.stderr.on('data', (d) => { server.stderr = (server.stderr + d).slice(-20000); });
  server.exitedPromise = new Promise((resolve) => child.on('exit', (code, signal) => {
    server.exited = { code, signal };
    resolve();
  }));
  const deadline = Date.now() + 30000;
  for (;;) {
    if (server.exited) throw new Error(`levers serve exited early (${JSON.stringify(server.exited)})\n${tail(server.stderr)}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for levers serve\n${tail(server.stderr)}`);
    try {
      if ((await fetch(`${server.base}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return server;
}

export async function stopLevers(server) {
  if (!server || server.exited) return;
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => { if (!server.exited) server.child.kill('SIGKILL'); }, 3000);
  await server.exitedPromise;
  clearTimeout(timer);
}

export function formatViolations(name, url, violations) {
  const lines = [`axe found ${violations.length} violation(s) on ${name} (${url}):`];
  for (const v of violations) {
    lines.push(`  [${v.impact}] ${v.id}: ${v.help}`, `      ${v.helpUrl}`);
    for (const node of v.nodes) {
      lines.push(`      target: ${JSON.stringify(node.target)}`, `      html:   ${node.html.replace(/\s+/g, ' ').slice(0, 300)}`);
      if (node.failureSummary) lines.push(`      ${node.failureSummary.replace(/\n\s*/g, ' / ')}`);
    }
  }
  return lines.join('\n');
}

/// Registers before/after hooks that start levers and a browser page; returns a context whose
/// `server`, `page`, `goto`, `checkPage` and `signIn` are ready inside tests. `{ empty: true }`
/// starts `levers serve` on an empty database with only the first admin (see startEmptyLevers)
/// instead of the demo; `lv.dir` is the folder it runs in.
export function useLevers({ empty = false } = {}) {
  const lv = { server: null, page: null, browser: null, dir: null };
  let tmp;
  let axeSource;
  let problems = [];
  const killOnExit = () => { if (lv.server && !lv.server.exited) lv.server.child.kill('SIGKILL'); };
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
    lv.dir = tmp;
    lv.server = empty ? await startEmptyLevers(tmp) : await startLevers(tmp);
    lv.browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 20000 });
    const context = await lv.browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'en-GB', acceptDownloads: true });
    context.setDefaultTimeout(10000);
    context.setDefaultNavigationTimeout(15000);
    lv.page = await context.newPage();
    lv.page.on('console', (msg) => { if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`); });
    lv.page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    lv.page.on('requestfailed', (req) => {
      // A download navigation is reported as aborted; it is not a page problem.
      if (req.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`);
    });
    lv.page.on('response', (resp) => {
      const req = resp.request();
      if (resp.status() >= 400 && !(req.isNavigationRequest() && req.frame() === lv.page.mainFrame())) {
        problems.push(`sub-resource ${req.url()} answered ${resp.status()}`);
      }
    });
  });

  after(async () => {
    try {
      if (lv.browser) await lv.browser.close();
    } finally {
      await stopLevers(lv.server);
      process.off('exit', killOnExit);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (tmp) await rm(tmp, { recursive: true, force: true });
    }
  });

  lv.url = (p) => `${lv.server.base}${p}`;

  lv.goto = async (p, expectStatus = 200) => {
    problems = [];
    const resp = await lv.page.goto(lv.url(p), { waitUntil: 'load' });
    assert.ok(resp, `no response for ${p}`);
    assert.equal(resp.status(), expectStatus, `GET ${p} answered ${resp.status()}, expected ${expectStatus} (now at ${lv.page.url()})`);
    return resp;
  };

  /// Forgets problems so far (after a form post that navigates, for example).
  lv.resetProblems = () => { problems = []; };

  lv.checkPage = async (name, { allowMainDocumentError = false } = {}) => {
    const page = lv.page;
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
    const title = await page.title();
    assert.match(title, /levers/, `${name}: the <title> should name the service, got ${JSON.stringify(title)}`);
    assert.equal(await page.locator('h1').count(), 1, `${name}: expected exactly one <h1>`);
    if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource);
    const results = await page.evaluate((opts) => window.axe.run(document, opts), AXE_OPTIONS);
    if (results.violations.length) assert.fail(formatViolations(name, page.url(), results.violations));
    let seen = problems;
    if (allowMainDocumentError) {
      seen = seen.filter((p) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(p));
    }
    assert.deepEqual(seen, [], `${name}: the page reported problems`);
  };

  /// Signs in as the demo admin, choosing a new password at the forced change (on an empty install,
  /// as the first admin, whose password was chosen when the account was made).
  lv.signIn = async () => {
    if (lv.server.empty) {
      await lv.goto('/sign-in');
      await lv.page.getByLabel('Email address').fill(lv.server.email);
      await lv.page.getByLabel('Password', { exact: true }).fill(lv.server.password);
      await Promise.all([lv.page.waitForNavigation(), lv.page.getByRole('button', { name: 'Sign in' }).click()]);
      return;
    }
    await lv.goto('/sign-in');
    await lv.page.getByLabel('Email address').fill(lv.server.email);
    await lv.page.getByLabel('Password', { exact: true }).fill(lv.server.oneTimePassword);
    await Promise.all([lv.page.waitForURL('**/account/password'), lv.page.getByRole('button', { name: 'Sign in' }).click()]);
    await lv.page.getByLabel('Current password').fill(lv.server.oneTimePassword);
    await lv.page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await lv.page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
    await Promise.all([lv.page.waitForNavigation(), lv.page.getByRole('button', { name: /change/i }).click()]);
  };

  return lv;
}
