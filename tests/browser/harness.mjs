// The browser tests' harness: starts the local runtime (the whole console in one process, with
// fresh demo data in a temp dir) on a free loopback port — with the dev sign-in, or signing in at
// the test OpenID Connect provider (tests/idp) as the deployed page signs in at Cognito —,
// launches Debian's Chromium through playwright-core, and stops them at the end. Nothing is
// downloaded.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, '..', '..');
// CONSOLE_BINARY runs another build of the local runtime (a copy kept stable while others compile).
const binary = process.env.CONSOLE_BINARY ?? join(repoRoot, 'target', 'debug', 'local');
const dist = join(repoRoot, 'static-ui', 'dist', 'index.html');
export const screenshotDir = join(here, 'screenshots');

/** The viewport the console is designed for. */
export const VIEWPORT = { width: 1366, height: 768 };

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function ensureBuilt() {
  if (!existsSync(dist)) {
    const r = spawnSync('npm', ['run', 'build'], { cwd: join(repoRoot, 'static-ui'), stdio: 'inherit' });
    if (r.status !== 0 || !existsSync(dist)) throw new Error('the page is not built: run `npm ci && npm run build` in static-ui');
  }
  if (!existsSync(binary)) {
    const r = spawnSync('cargo', ['build', '-q', '-p', 'local'], { cwd: repoRoot, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('cargo build -p local failed');
  }
}

async function waitUntilUp(url, child, log, ms = 60_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`the local runtime exited (${child.exitCode}):\n${log()}`);
    try {
      const res = await fetch(`${url}/config.json`);
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the local runtime did not answer within ${ms / 1000}s:\n${log()}`);
}

/**
 * Starts the console with fresh demo data; returns its URL and a stop function. `port` picks the
 * port (default: a free one); `oidc: { issuer, clientId }` signs users in at that provider
 * instead of the dev sign-in.
 */
export async function startConsole({ port: wanted, oidc } = {}) {
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'console-browser-'));
  const port = wanted ?? (await freePort());
  let output = '';
  const args = ['--data', join(dir, 'console.sqlite'), '--port', String(port)];
  if (oidc) args.push('--oidc-issuer', oidc.issuer, '--oidc-client-id', oidc.clientId);
  const child = spawn(binary, args, {
    cwd: repoRoot,
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (b) => {
    output = (output + b.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const kill = () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', kill);
  const url = `http://127.0.0.1:${port}`;
  await waitUntilUp(url, child, () => output);
  return {
    url,
    log: () => output,
    async stop() {
      process.removeListener('exit', kill);
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const idpDir = join(repoRoot, 'tests', 'idp');

/** Stops a child process: SIGINT, then SIGKILL if it lingers. */
async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts the test OpenID Connect provider's CLI (tests/idp/server.mjs) on a free port with
 * `users` (as its staticDirectory takes them) and one public client; returns its issuer, the
 * client id and a stop function. Installs tests/idp's packages first when they are missing.
 */
export async function startIdp({ users, redirect, logout, clientId = 'console-page', idTokenTtl, path = '/ap-northeast-1_LocalPool' }) {
  if (!existsSync(join(idpDir, 'node_modules', 'oidc-provider'))) {
    const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: idpDir, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('npm ci in tests/idp failed');
  }
  const dir = mkdtempSync(join(tmpdir(), 'console-idp-'));
  const usersFile = join(dir, 'users.json');
  writeFileSync(usersFile, JSON.stringify(users));
  const port = await freePort();
  const args = [join(idpDir, 'server.mjs'), '--port', String(port), '--issuer', `http://127.0.0.1:${port}${path}`, '--users', usersFile, '--client', clientId, '--redirect', redirect];
  if (logout) args.push('--logout', logout);
  if (idTokenTtl) args.push('--id-token-ttl', String(idTokenTtl));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const issuer = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the provider did not start:\n${output}`)), 20_000);
    const keep = (b) => {
      output = (output + b.toString()).slice(-20_000);
      const m = /idp listening at (\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('exit', (code) => reject(new Error(`the provider exited (${code}):\n${output}`)));
  });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  return {
    issuer,
    clientId,
    log: () => output,
    async stop() {
      process.removeListener('exit', kill);
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The console signing in at the test provider, as deployed at Cognito: the provider (with
 * `users`, the console's callback and logout URLs registered) and then the console, on a port
 * chosen first so that both know each other's URLs.
 */
export async function startConsoleWithIdp({ users, idTokenTtl } = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const idp = await startIdp({ users, redirect: `${url}/auth/callback`, logout: `${url}/`, idTokenTtl });
  try {
    const console_ = await startConsole({ port, oidc: { issuer: idp.issuer, clientId: idp.clientId } });
    return {
      url,
      idp,
      log: () => `${console_.log()}\n--- provider ---\n${idp.log()}`,
      async stop() {
        await console_.stop();
        await idp.stop();
      },
    };
  } catch (e) {
    await idp.stop();
    throw e;
  }
}

/** Signs in on the provider's login page the console sent the browser to. */
export async function signInAtProvider(page, username, password) {
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  await page.locator('#sign-in').click();
}

/** Debian's Chromium, headless. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** A fresh page (own storage) at 1366×768 that collects script errors in `page.errors`. */
export async function newPage(browser) {
  const context = await browser.newContext({ viewport: VIEWPORT, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e));
  page.on('console', (m) => {
    // Refused requests (422, 409) are part of the flows under test; anything else is a bug.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) page.errors.push(new Error(m.text()));
  });
  page.setDefaultTimeout(10_000);
  return page;
}

/** Signs in through the sign-in page by picking a seeded user. */
export async function signIn(page, url, userId, path = '/') {
  await page.goto(`${url}${path}`);
  await page.locator(`button[data-user="${userId}"]`).click();
  await page.locator('#operator, #admin, #admin-refused').first().waitFor();
}

/** A bearer token for a seeded user (for arranging data over the API). */
export async function token(url, userId) {
  const res = await fetch(`${url}/api/dev/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user_id: userId }),
  });
  if (!res.ok) throw new Error(`sign-in failed: ${res.status}`);
  return (await res.json()).token;
}

/** Calls the API as a user. */
export async function api(url, userId, method, path, body) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${await token(url, userId)}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Saves a screenshot of the page or of one element under screenshots/. */
export async function shot(target, name) {
  mkdirSync(screenshotDir, { recursive: true });
  await target.screenshot({ path: join(screenshotDir, `${name}.png`) });
}

/** Waits until `fn` returns a truthy value (or throws the last failure after `ms`). */
export async function eventually(fn, ms = 10_000, what = 'condition') {
  const until = Date.now() + ms;
  let last;
  while (Date.now() < until) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

/** Waits until the element's text contains `text`; returns the text. */
export async function textContains(locator, text, ms = 10_000) {
  let seen = '';
  try {
    return await eventually(async () => {
      seen = (await locator.textContent()) ?? '';
      return seen.includes(text) ? seen : null;
    }, ms);
  } catch {
    throw new Error(`expected ${locator} to contain ${JSON.stringify(text)}; it shows ${JSON.stringify(seen.slice(0, 300))}`);
  }
}

/** The boxes of the page's regions (to check that nothing moved). */
export function regionBoxes(page) {
  return page.evaluate(() =>
    Object.fromEntries(
      ['#region-info', '#region-ops', '#region-customer', '#region-history', '#region-entry', '#region-search', '#memo-panel', '#memo-text', '.entry-footer', '#customer-phone', '#call-timer']
        .map((s) => [s, document.querySelector(s)?.getBoundingClientRect()])
        .map(([s, b]) => [s, b ? [Math.round(b.x), Math.round(b.y), Math.round(b.width), Math.round(b.height)].join(',') : null]),
    ),
  );
}

/** A request to the Twilio simulator's control routes (`/sim/…`) of the console at `url`. */
export async function simRequest(url, method, path, body) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Waits (up to 15 s) until the simulator reaches `condition` (`POST /sim/wait`); its answer. */
export async function simUntil(url, condition) {
  const r = await simRequest(url, 'POST', '/sim/wait', { timeout_ms: 15_000, ...condition });
  if (r.status !== 200) throw new Error(`never reached ${JSON.stringify(condition)}: ${JSON.stringify(r.body).slice(0, 3000)}`);
  return r.body;
}

/** Chooses `status` in the information bar and waits until the page shows it chosen. */
export async function setStatus(page, status) {
  await page.selectOption('#info-status', status);
  await eventually(async () => (await page.inputValue('#info-status')) === status, 8000, `the status ${status}`);
}
