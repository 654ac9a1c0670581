// The deployed console in Chromium: the page on its CloudFront name with the config.json the
// stack wrote, signed in through the provider's login page, the API and the sign-in reached by
// their AWS names over HTTPS under the distribution's own security headers. The one change to
// what the stack deploys is the phone: Twilio's Voice SDK cannot reach Twilio from here, so
// config.json's `phone` is pointed at the Twilio simulator's softphone, on a host name the
// page's Content-Security-Policy allows (a twilio.com name mapped to the simulator).
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { eventually, textContains } from '../browser/harness.mjs';
import { api, authenticatorCode, reachStackThroughFront, signInAs, sim } from './lib/client.mjs';
import { SIM_HOST } from './lib/rehearsal.mjs';
import { CAST, startCdkRehearsal } from './lib/stacks.mjs';
import { CUSTOMER, LINE, simWait } from './lib/walk.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const shots = join(here, 'screenshots');

describe('the deployed console in Chromium', { timeout: 300_000 }, () => {
  let r;
  let browser;
  const pages = [];

  async function shot(target, name) {
    mkdirSync(shots, { recursive: true });
    await target.screenshot({ path: join(shots, `${name}.png`) });
  }

  /** A fresh browser profile on the page's CloudFront URL, collecting script errors. */
  async function openPage(path = '/') {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'ja-JP', timezoneId: 'Asia/Tokyo', ignoreHTTPSErrors: true });
    const page = await context.newPage();
    page.errors = [];
    page.requests = [];
    // What the live channel (/live on the page's origin) brought: every frame the page heard.
    page.liveFrames = [];
    page.on('websocket', (ws) => {
      if (!ws.url().endsWith('/live')) return;
      ws.on('framereceived', (f) => page.liveFrames.push({ at: Date.now(), text: String(f.payload) }));
    });
    page.on('pageerror', (e) => page.errors.push(e));
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) page.errors.push(new Error(m.text()));
    });
    page.on('request', (req) => page.requests.push(req.url()));
    page.setDefaultTimeout(15_000);
    await page.goto(new URL(path, r.pageUrl).href);
    pages.push(page);
    return page;
  }

  /** Signs in through the sign-in page and the provider's login page. */
  async function signIn(person, path = '/', shotName) {
    const page = await openPage(path);
    await toLogin(page);
    assert.match(new URL(page.url()).host, /^cognito-idp\./, 'the login page is the provider’s');
    await page.fill('#username', person.email);
    await page.fill('#password', person.password);
    if (shotName) await shot(page, shotName);
    await page.click('#sign-in');
    if (person.totpSecret) {
      await page.locator('#code').waitFor();
      await page.fill('#code', await authenticatorCode(person.totpSecret));
      await page.click('#verify-code');
    }
    await page.locator('#operator, #monitor, #admin, #signin-no-group, #signin-mfa-needed').first().waitFor();
    return page;
  }

  /** From the page to the provider's login form (the page sends a signed-out visitor there, or offers a button). */
  async function toLogin(page) {
    await page.locator('#username, #signin-cognito').first().waitFor();
    if (await page.locator('#signin-cognito').isVisible()) await page.click('#signin-cognito');
    await page.locator('#username').waitFor();
  }

  async function setStatus(page, status) {
    await page.selectOption('#info-status', status);
    await eventually(async () => (await page.inputValue('#info-status')) === status, 8000, `the status ${status}`);
  }

  before(async () => {
    r = await startCdkRehearsal((m) => console.log(`[browser] ${m}`));
    reachStackThroughFront({ hosts: r.hostRules.split(', ').map((rule) => rule.split(' ')[1]), port: r.frontPort, ca: r.certs.ca });
    // The phone: the simulator's softphone instead of the Twilio SDK (see the top of this file).
    const bucket = [...r.stack.buckets.values()][0];
    const file = join(bucket.root, 'config.json');
    const config = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(config.phone.kind, 'twilio', 'the stack deploys the Twilio phone');
    config.phone = { kind: 'simulator', url: `wss://${SIM_HOST}` };
    writeFileSync(file, JSON.stringify(config));
    // The admin sets the console up: the line and the customer the call will pop up.
    const admin = await signInAs(r, CAST.admin);
    const settings = await api(r, admin.idToken, 'GET', '/api/settings');
    assert.equal((await api(r, admin.idToken, 'PUT', '/api/settings/lines', { version: settings.body.versions?.lines ?? 0, value: [LINE] })).status, 200);
    const account = await api(r, admin.idToken, 'POST', '/api/crm/objects/account/records', {
      fields: { name: CUSTOMER.name, name_kana: 'リハーサルショウジ', phone: CUSTOMER.from, rank: 'a', notes: '請求書は毎月20日締め' },
    });
    assert.equal(account.status, 201, JSON.stringify(account.body));
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', `--host-resolver-rules=${r.hostRules}`],
    });
  });

  after(async () => {
    await browser?.close();
    await r?.stop();
  });

  test('the page on its CloudFront name reads the deployed config.json and signs in through the provider, never the dev sign-in', async () => {
    const page = await openPage('/');
    await toLogin(page);
    assert.match(new URL(page.url()).host, /^cognito-idp\./, 'the sign-in is the provider’s');
    await shot(page, 'rehearsal-1-sign-in');
    const bucket = [...r.stack.buckets.values()][0];
    const texts = readdirSync(join(bucket.root, 'assets')).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(bucket.root, 'assets', f), 'utf8'));
    assert.ok(texts.length > 0);
    assert.ok(!texts.some((t) => t.includes('準備中')), 'no 準備中 anywhere in the deployed page');
    const csp = (await fetch(r.pageUrl)).headers.get('content-security-policy');
    assert.match(csp, /connect-src/, 'the distribution’s security headers are on the page');
    assert.ok(!page.requests.some((u) => u.includes('/api/dev/')), 'the dev sign-in is never called');
    await page.context().close();
  });

  test('an operator signs in, goes 受付可, takes an incoming call with the customer popped up, types the memo and holds', async () => {
    const sato = await signIn(CAST.sato, '/', 'rehearsal-2-provider-login');
    await sato.locator('#operator').waitFor();
    await sato.locator('#call-status.call-idle').waitFor();
    assert.ok(!sato.requests.some((u) => u.includes('/api/dev/')), 'the dev sign-in is never called');
    assert.ok(sato.requests.some((u) => u.startsWith(`${r.apiUrl}/api/`)), 'the page calls the deployed API');
    const stored = await sato.evaluate(() => JSON.stringify(Object.entries(localStorage)));
    assert.ok(!/eyJ/.test(stored), 'no token in localStorage');
    await setStatus(sato, 'available');

    const started = await sim(r, 'POST', '/sim/calls', { from: CUSTOMER.from, to: LINE.number });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const sid = started.body.sid;
    await sato.locator('#incoming-dialog').waitFor();
    await textContains(sato.locator('#incoming-match'), CUSTOMER.name);
    await shot(sato, 'rehearsal-3-incoming-call');
    await sato.click('#incoming-accept');
    await simWait(r, { conference: sid, labels: ['customer', 'operator'] });
    await textContains(sato.locator('#call-badge'), '通話中');
    await textContains(sato.locator('#customer-account'), CUSTOMER.name);

    const memo = sato.locator('#memo-text');
    await memo.click();
    await sato.keyboard.press('Control+z');
    await sato.keyboard.type('お電話ありがとうございます');
    await sato.keyboard.press('Enter');
    await sato.keyboard.press('Control+x');
    await sato.keyboard.type('請求書の再発行をお願いしたい');
    await sato.selectOption('#memo-status', 'callback');
    await textContains(sato.locator('.save-indicator'), '保存済み');
    assert.equal(await memo.inputValue(), '【オペレータ】お電話ありがとうございます\n【お客様】請求書の再発行をお願いしたい');

    await sato.click('#op-hold');
    await simWait(r, { call: sid, held: true, settled: true });
    await textContains(sato.locator('#call-badge'), '保留中');
    await sato.keyboard.press('Escape');
    await sato.click('#op-hold');
    await simWait(r, { call: sid, held: false, settled: true });
    await textContains(sato.locator('#call-badge'), '通話中');
    sato.sid = sid;
  });

  test('a supervisor sees the memo on /monitor, and what the operator types next arrives on the board over the live channel', async () => {
    const ito = await signIn(CAST.ito, '/monitor');
    try {
      await ito.locator('#monitor').waitFor();
    } catch (e) {
      await shot(ito, 'rehearsal-failed-monitor');
      throw new Error(`${e.message} (at ${ito.url()})`);
    }
    await textContains(ito.locator('#monitor'), '請求書の再発行をお願いしたい', 15_000);
    // Both pages are on the channel: subscribed, and no banner saying live updates are interrupted.
    const sato = pages.find((p) => p.sid);
    for (const [who, page] of [['supervisor', ito], ['operator', sato]]) {
      await eventually(async () => page.liveFrames.some((f) => /"type":"subscribed"/.test(f.text)), 10_000, `the ${who}'s page subscribed on /live`);
      assert.equal(await page.locator('#live-banner').count(), 0, `no fallback banner on the ${who}'s page`);
    }

    const added = '領収書も同封してほしい';
    const typed = Date.now();
    await sato.locator('#memo-text').click();
    await sato.keyboard.press('Control+End');
    await sato.keyboard.press('Enter');
    await sato.keyboard.type(added);
    // A pause saves at most once a minute; leaving the memo saves at once.
    await sato.locator('#memo-text').blur();
    await textContains(ito.locator('#monitor'), added, 10_000);
    const seen = Date.now() - typed;
    const frame = ito.liveFrames.find((f) => f.at >= typed && /"type":"memo_changed"/.test(f.text) && f.text.includes(added));
    assert.ok(frame, `the memo came to the board as a memo_changed frame on /live (heard: ${ito.liveFrames.map((f) => f.text.slice(0, 80)).join(' | ')})`);
    // Without the channel the board would only see it on its next slow read (every 15 s while
    // the channel is down): the stream → push → @connections path brought it.
    const posted = r.sockets[0].posted.filter((p) => p.at >= typed && p.data.includes(added));
    assert.ok(posted.length > 0, 'the push function posted the memo to the board’s connection');
    assert.equal(await ito.locator('#live-banner').count(), 0, 'still no fallback banner on the board');
    await textContains(sato.locator('.save-indicator'), '保存済み');
    console.log(`[browser] the memo typed by the operator was on the supervisor's board ${seen} ms later (frame after ${frame.at - typed} ms), over the live channel`);
    await shot(ito, 'rehearsal-4-monitor');
  });

  test('the call is transferred with 画面転送 to a second operator, who ends it; it is in 対応履歴', async () => {
    const sato = pages.find((p) => p.sid);
    const sid = sato.sid;
    const tanaka = await signIn(CAST.tanaka);
    await tanaka.locator('#call-status.call-idle').waitFor();
    await setStatus(tanaka, 'available');

    await sato.click('#op-transfer');
    const dialog = sato.locator('#transfer-dialog');
    await dialog.waitFor();
    // As the manual says: the user's name in the list; [画面転送] beside it sends the screen too.
    const target = sato.locator('#transfer-operators li', { hasText: CAST.tanaka.name }).locator('button.transfer-screen');
    await target.waitFor();
    await shot(dialog, 'rehearsal-5-transfer-dialog');
    await target.click();
    await simWait(r, { call: sid, held: true });

    await tanaka.locator('#incoming-dialog').waitFor();
    await textContains(tanaka.locator('#incoming-transfer'), '画面転送あり');
    await tanaka.click('#incoming-accept');
    await simWait(r, { conference: sid, labels: ['customer', 'operator', 'transfer'] });
    await eventually(async () => (await tanaka.inputValue('#memo-text')).includes('請求書の再発行'), 8000, 'the memo on the target’s screen');
    await textContains(tanaka.locator('#customer-account'), CUSTOMER.name);
    await sato.click('#op-hangUp');
    await simWait(r, { conference: sid, labels: ['customer', 'transfer'], without_labels: ['operator'], settled: true });
    await textContains(tanaka.locator('#call-badge'), '通話中');
    await shot(tanaka, 'rehearsal-6-transferred');

    await tanaka.click('#op-hangUp');
    await simWait(r, { call: sid, status: 'completed', settled: true });
    await tanaka.locator('#call-status.call-idle').waitFor();
    const row = tanaka.locator('#history-panel tbody tr').first();
    await textContains(row, '請求書の再発行をお願いしたい');
    await shot(tanaka.locator('#region-history'), 'rehearsal-7-history');
    const problems = await sim(r, 'GET', '/sim/problems');
    assert.deepEqual(problems.body, []);
  });

  test('a supervisor without an authenticator works as an operator, registers one from the banner, and signs in again with its code to get the role', async () => {
    const mori = await signIn(CAST.mori);
    await mori.locator('#operator').waitFor();
    await mori.locator('#mfa-banner').waitFor();
    await shot(mori, 'rehearsal-8-mfa-banner');
    await mori.click('#mfa-open');
    const secretText = await eventually(async () => (await mori.locator('#mfa-secret').textContent())?.replace(/\s/g, ''), 10_000, 'the key');
    await mori.locator('#mfa-qr svg').waitFor();
    await mori.fill('#mfa-code', '000000');
    await mori.click('#mfa-verify');
    await textContains(mori.locator('#mfa-error'), 'コードが正しくありません');
    await mori.fill('#mfa-code', await authenticatorCode(secretText));
    await shot(mori.locator('#mfa-dialog'), 'rehearsal-9-mfa-register');
    await mori.click('#mfa-verify');
    await mori.locator('#mfa-done').waitFor();
    await mori.click('#mfa-sign-in');
    // A new sign-in at the provider: password, then the app's code.
    await mori.locator('#username').waitFor();
    await mori.fill('#username', CAST.mori.email);
    await mori.fill('#password', CAST.mori.password);
    await mori.click('#sign-in');
    await mori.locator('#code').waitFor();
    await shot(mori, 'rehearsal-10-mfa-code');
    await mori.fill('#code', await authenticatorCode(secretText));
    await mori.click('#verify-code');
    await mori.locator('#operator').waitFor();
    assert.equal(await mori.locator('#mfa-banner').count(), 0, 'the role is given: no banner');
    await mori.goto(new URL('/monitor', r.pageUrl).href);
    await mori.locator('#monitor').waitFor();
  });

  test('the admin invites a user and disables another, who is then refused at sign-in and by the API', async () => {
    // 加藤 was working before: signed in, with a token the API accepts.
    const kato = await signInAs(r, CAST.kato);
    assert.equal((await api(r, kato.idToken, 'GET', '/api/token')).status, 200);

    const admin = await signIn(CAST.admin, '/admin');
    await admin.locator('#admin').waitFor();
    await admin.click('#admin-users');
    const section = admin.locator('#section-users');
    const row = (text) => section.locator('#users-table tbody tr', { hasText: text });
    await row(CAST.sato.name).waitFor();
    await shot(admin, 'rehearsal-11-admin-users');

    await admin.fill('#invite-email', 'kobayashi.example.jp');
    await admin.fill('#invite-name', '小林 さくら');
    await admin.selectOption('#invite-role', 'operator');
    await admin.click('#invite-submit');
    await textContains(admin.locator('#invite-email-error'), 'メールアドレスの形式が正しくありません');
    await admin.fill('#invite-email', 'kobayashi@example.jp');
    await admin.click('#invite-submit');
    await textContains(admin.locator('#invite-message'), '小林 さくら さん（kobayashi@example.jp）を招待しました');
    await row('kobayashi@example.jp').waitFor();

    await row(CAST.kato.name).locator('.user-toggle').click();
    await admin.click('#users-confirm-ok');
    await textContains(admin.locator('#users-message'), `${CAST.kato.name} さんを無効化しました`);
    await shot(section, 'rehearsal-12-admin-disabled');

    // Refused at the provider's login page, and their token gets no new Voice token.
    const page = await openPage('/');
    await toLogin(page);
    await page.fill('#username', CAST.kato.email);
    await page.fill('#password', CAST.kato.password);
    await page.click('#sign-in');
    await textContains(page.locator('#login-error'), 'このユーザーは無効になっています');
    await shot(page, 'rehearsal-13-disabled-refused');
    const token = await api(r, kato.idToken, 'GET', '/api/token');
    assert.equal(token.status, 403, JSON.stringify(token.body));
  });

  test('no page raised a script error, and nothing failed underneath', async () => {
    for (const p of pages) assert.deepEqual(p.errors.map(String), [], `script errors on ${p.url()}`);
    const failures = [...r.functions.values()].flatMap((f) => f.failures.map((m) => `${f.spec.name}: ${m}`));
    assert.deepEqual(failures, []);
    assert.deepEqual(r.iam.denied, []);
    assert.deepEqual([...r.answerCounts()].filter(([k]) => /\b5\d\d\b/.test(k)), []);
    assert.deepEqual([...r.front.unknown], [], 'the page reached no host the stack does not have');
    // (A 410 is a push to a page that had just closed: API Gateway's answer, which the push function heeds.)
    assert.deepEqual([...r.sockets[0].counts].filter(([k]) => /^(5\d\d|40[13]|429)/.test(k)), [], 'the live channel refused or failed nothing');
    for (const m of r.streams) assert.equal(m.stats.dropped, 0, `${m.mapping.id} dropped stream records`);
    console.log(`[browser] live channel: ${JSON.stringify(Object.fromEntries(r.sockets[0].counts))}; stream: ${JSON.stringify(r.streams.map((m) => m.stats))}`);
    const requests = [...r.gateway.counts].filter(([k]) => /\b[1-5]\d\d$/.test(k)).reduce((n, [, c]) => n + c, 0);
    const preflights = r.gateway.counts.get('preflight') ?? 0;
    console.log(`[browser] the walk sent ${requests} API requests and ${preflights} CORS preflights`);
    assert.equal(preflights, 0, 'the API is on the page’s own origin: no preflight before any call');
  });
});
