// The sign-in as deployed, walked in Chromium: the console runs with `--oidc-issuer` against the
// test OpenID Connect provider (tests/idp, which behaves like a Cognito user pool), so the page
// gets a cognito config.json and signs in with the authorization code flow and PKCE through
// oidc-client-ts, the ID token is the API's bearer, and the provider's short ID token lifetime
// (70 s) makes the page renew it several times during the tests. Also: the page refuses a
// config.json that breaks the contract, naming the key.
import assert from 'node:assert/strict';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually, freePort, launchBrowser, newPage, repoRoot, shot, signInAtProvider, simRequest, startConsoleWithIdp, textContains } from './harness.mjs';

const ID_TOKEN_TTL = 70;
const USERS = [
  { sub: 'op-sato', username: 'sato', email: 'sato@example.jp', name: '佐藤 花子', password: 'Sato-pass-1', groups: ['operator'] },
  { sub: 'sales-kimura', username: 'kimura', email: 'kimura@example.jp', name: '木村 恵', password: 'Kimura-pass-1', groups: ['sales,admin', 'sales'] },
];

/** The ID token oidc-client-ts keeps for the page (its sessionStorage store), with its claims. */
async function storedIdToken(page) {
  return page.evaluate(() => {
    const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:'));
    const token = key ? JSON.parse(sessionStorage.getItem(key)).id_token : null;
    if (!token) return null;
    const claims = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    return { token, exp: claims.exp };
  });
}

/** Records the requests a page sends to the console's API and to the provider. */
function recordRequests(page, { url, issuer }) {
  const seen = { api: [], dev: [], provider: [] };
  page.on('request', (r) => {
    const u = r.url();
    if (u.startsWith(`${url}/api/dev/`)) seen.dev.push(u);
    else if (u.startsWith(`${url}/api/`)) seen.api.push(u);
    else if (u.startsWith(new URL(issuer).origin)) seen.provider.push(u);
  });
  return seen;
}

describe('sign-in at an OpenID Connect provider, as deployed', { timeout: 420_000 }, () => {
  let console_;
  let browser;
  let page;
  let requests;
  let statuses;

  const sim = (method, path, body) => simRequest(console_.url, method, path, body);

  /** The operator's presence as the server has it, asked with the page's current token. */
  async function operatorStatus() {
    const held = await storedIdToken(page);
    const r = await fetch(`${console_.url}/api/operators/me`, { headers: { authorization: `Bearer ${held.token}` } });
    return r.ok ? (await r.json()).status : `HTTP ${r.status}`;
  }

  async function apiStatus(token, path = '/api/operators/me') {
    return (await fetch(`${console_.url}${path}`, { headers: { authorization: `Bearer ${token}` } })).status;
  }

  before(async () => {
    console_ = await startConsoleWithIdp({ users: USERS, idTokenTtl: ID_TOKEN_TTL });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await console_?.stop();
  });

  test('an operator signs in on the provider login page and reaches the operator screen; the API takes the ID token', async () => {
    page = await newPage(browser);
    requests = recordRequests(page, { url: console_.url, issuer: console_.idp.issuer });
    statuses = [];
    page.on('response', (r) => {
      if (r.url().startsWith(`${console_.url}/api/`)) statuses.push(r.status());
    });
    await page.goto(`${console_.url}/`);
    await page.waitForURL((u) => u.href.startsWith(console_.idp.issuer));
    await page.locator('#username').waitFor();
    await shot(page, 'signin-provider-login');

    await signInAtProvider(page, 'sato', 'wrong-password');
    await textContains(page.locator('#login-error'), 'ユーザー名またはパスワードが正しくありません');
    await shot(page, 'signin-provider-refused');
    await signInAtProvider(page, 'sato', 'Sato-pass-1');

    await page.locator('#operator').waitFor({ timeout: 15_000 });
    assert.equal(new URL(page.url()).pathname, '/', 'the callback hands back the page the user was on');
    await textContains(page.locator('#info-user-name'), '佐藤 花子');
    await page.locator('#call-status.call-idle').waitFor();
    await shot(page, 'signin-operator-screen');

    const { token } = await storedIdToken(page);
    assert.equal(await apiStatus(token), 200, 'the ID token is the API bearer');
    assert.ok(requests.api.length > 0, 'the page used the API');
    assert.deepEqual(requests.dev, [], 'the dev sign-in is never called with a cognito config');
    assert.equal(await page.locator('button[data-user]').count(), 0);
    assert.ok(!statuses.includes(401), 'no request of the page was refused');
    const me = await (await fetch(`${console_.url}/api/operators/me`, { headers: { authorization: `Bearer ${token}` } })).json();
    assert.equal(me.id ?? me.operator?.id, 'op-sato', JSON.stringify(me));
  });

  test('tokens live in sessionStorage only: localStorage holds no token', async () => {
    const local = await page.evaluate(() => Object.entries(localStorage));
    for (const [key, value] of local) {
      assert.doesNotMatch(value, /eyJ[\w-]+\.[\w-]+\./, `localStorage '${key}' holds a JWT`);
      assert.doesNotMatch(key, /oidc|token|session/i, `localStorage '${key}'`);
    }
    assert.ok(await storedIdToken(page), 'oidc-client-ts keeps the tokens in sessionStorage');
  });

  test('a reload keeps the session without going back to the provider', async () => {
    const before = requests.provider.length;
    await page.reload();
    await page.locator('#operator').waitFor();
    await textContains(page.locator('#info-user-name'), '佐藤 花子');
    const authorizeAgain = requests.provider.slice(before).some((u) => new URL(u).pathname.endsWith('/auth'));
    assert.equal(authorizeAgain, false, 'no new authorization request');
  });

  test('the ID token is renewed before it expires, and the operator stays signed in past its lifetime', async () => {
    const first = await storedIdToken(page);
    await eventually(async () => (await storedIdToken(page))?.token !== first.token, 30_000, 'a renewed ID token');
    // Past the first token's expiry: the API refuses it, yet the page works on.
    const wait = first.exp * 1000 + 2000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    assert.equal(await apiStatus(first.token), 401, 'the first ID token has expired');
    const now = await storedIdToken(page);
    assert.ok(now.exp * 1000 > Date.now(), 'the page holds a live ID token');
    assert.equal(await apiStatus(now.token), 200);
    assert.ok(await page.locator('#operator').isVisible(), 'still on the operator screen');
    assert.equal(await page.locator('#auth-banner').count(), 0, 'no banner');
    await page.selectOption('#info-status', 'away');
    await eventually(async () => (await page.inputValue('#info-status')) === 'away', 5000, 'the status saved through the API');
    assert.ok(!statuses.includes(401), 'no request of the page was refused');
  });

  test('a renewal that fails during a call shows the banner and keeps the screen, even once the API refuses the token', async () => {
    await page.selectOption('#info-status', 'available');
    // The select shows the choice at once; the call is placed once the server has it.
    await eventually(async () => (await operatorStatus()) === 'available', 10_000, 'available on the server');
    const placed = await sim('POST', '/sim/calls', { from: '03-1234-5678' });
    assert.equal(placed.status, 201, JSON.stringify(placed.body));
    await page.locator('#incoming-dialog').waitFor().catch((e) => {
      // What the console and the page did, for a ring that did not come.
      console.log(`API statuses: ${statuses.join(' ')}\n--- console ---\n${console_.log()}`);
      throw e;
    });
    const ring = await sim('POST', '/sim/wait', { timeout_ms: 15_000, phone: 'op_sato' });
    const sid = ring.body.ringing.params.callSid;
    await page.click('#incoming-accept');
    await sim('POST', '/sim/wait', { timeout_ms: 15_000, conference: sid, labels: ['customer', 'operator'] });
    await textContains(page.locator('#call-badge'), '通話中');

    // The provider refuses every renewal from now on.
    const discovery = await (await fetch(`${console_.idp.issuer}/.well-known/openid-configuration`)).json();
    const refuse = (route) => route.fulfill({ status: 400, contentType: 'application/json', body: '{"error":"invalid_grant","error_description":"refused by the test"}' });
    await page.route(discovery.token_endpoint, refuse);
    const banner = page.locator('#auth-banner');
    await banner.waitFor({ timeout: 30_000 });
    await textContains(banner, 'サインインを更新できませんでした');
    await shot(page, 'signin-renewal-failed-during-call');

    // Past the token's expiry the API answers 401 to the page's next request (the call's changes
    // are pushed on the live channel, so the page sends one when the operator types the memo):
    // the screen stays.
    const held = await storedIdToken(page);
    const wait = held.exp * 1000 + 3000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await page.locator('#memo-text').pressSequentially('折り返し');
    await eventually(() => statuses.includes(401), 10_000, 'a request refused with the expired token');
    assert.ok(await page.locator('#operator').isVisible(), 'the operator screen stays');
    await textContains(page.locator('#call-badge'), '通話中');
    assert.ok(await banner.isVisible(), 'the banner stays');

    // The provider takes renewals again; sign-in-again opens a popup, the call goes on.
    await page.unroute(discovery.token_endpoint, refuse);
    const popup = page.waitForEvent('popup');
    await page.click('#auth-sign-in-again');
    const win = await popup;
    // The provider's session is still alive: the popup comes back with a code and closes by itself.
    await win.waitForEvent('close', { timeout: 15_000 });
    await eventually(async () => (await page.locator('#auth-banner').count()) === 0, 10_000, 'the banner to go');
    const renewed = await storedIdToken(page);
    assert.equal(await apiStatus(renewed.token), 200);
    await textContains(page.locator('#call-badge'), '通話中');

    await sim('POST', `/sim/calls/${sid}/hangup`);
    await page.locator('#call-status.call-idle, #call-status.call-wrapup').first().waitFor({ timeout: 15_000 }).catch(() => undefined);
  });

  test('sign-out goes through the provider, and signing in again asks for the password', async () => {
    const logoutRequests = [];
    page.on('request', (r) => {
      if (r.url().includes('/logout?')) logoutRequests.push(new URL(r.url()));
    });
    await page.getByRole('button', { name: 'サインアウト' }).click();
    await textContains(page.locator('#signin'), 'サインアウトしました', 15_000);
    assert.equal(logoutRequests.length, 1, 'one request to the logout endpoint');
    const out = logoutRequests[0];
    assert.equal(`${out.origin}${out.pathname}`, `${console_.idp.issuer}/logout`);
    assert.equal(out.searchParams.get('client_id'), console_.idp.clientId);
    assert.equal(out.searchParams.get('logout_uri'), `${console_.url}/`);
    assert.equal(out.searchParams.get('id_token_hint'), null, 'no token in the logout URL');
    assert.equal(await storedIdToken(page), null, 'the tokens are gone');
    await shot(page, 'signin-signed-out');

    await page.click('#signin-cognito');
    await page.waitForURL((u) => u.href.startsWith(console_.idp.issuer));
    await page.locator('#password').waitFor();
    await signInAtProvider(page, 'sato', 'Sato-pass-1');
    await page.locator('#operator').waitFor({ timeout: 15_000 });
    assert.deepEqual(page.errors.map(String), [], 'no script error on the way');
  });

  test('a user in no console group is told so in Japanese and the page calls no API', async () => {
    const other = await newPage(browser);
    const seen = recordRequests(other, { url: console_.url, issuer: console_.idp.issuer });
    await other.goto(`${console_.url}/`);
    await other.locator('#username').waitFor();
    await signInAtProvider(other, 'kimura', 'Kimura-pass-1');
    const refusal = other.locator('#signin-no-group');
    await textContains(refusal, '木村 恵 さんのアカウントは、オペレータ・スーパーバイザー・管理者のいずれのグループにも所属していません');
    await shot(other, 'signin-no-group');
    assert.deepEqual(seen.api, [], 'no API call for a user with no console group');
    assert.deepEqual(seen.dev, []);
    // Signing out from the refusal goes through the provider too.
    await other.click('#signin-no-group-sign-out');
    await textContains(other.locator('#signin'), 'サインアウトしました', 15_000);
    await other.context().close();
  });
});

/** Serves the built page with a config.json of the test's choosing. */
async function servePage() {
  const dist = join(repoRoot, 'static-ui', 'dist');
  let config = '{}';
  const types = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html; charset=utf-8', '.svg': 'image/svg+xml' };
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (path === '/config.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(config);
      return;
    }
    const file = normalize(join(dist, path));
    const found = file.startsWith(dist) && existsSync(file) && statSync(file).isFile() ? file : join(dist, 'index.html');
    res.writeHead(200, { 'content-type': types[extname(found)] ?? 'application/octet-stream' }).end(readFileSync(found));
  });
  const port = await freePort();
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${port}`,
    set(value) {
      config = typeof value === 'string' ? value : JSON.stringify(value);
    },
    close: () => new Promise((r) => server.close(r)),
  };
}

describe('config.json is checked against the contract', { timeout: 60_000 }, () => {
  let server;
  let browser;
  before(async () => {
    server = await servePage();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const cognito = {
    kind: 'cognito',
    authority: 'https://cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_abc',
    clientId: 'abc123',
    redirectUri: 'https://console.example.jp/auth/callback',
    logoutUri: 'https://console.example.jp/',
    logoutEndpoint: 'https://console-auth.example.jp/logout',
    scope: 'openid email profile',
  };
  const { clientId: _dropped, ...withoutClientId } = cognito;
  const { authority, ...rest } = cognito;
  const cases = [
    ['a missing key', { apiUrl: '', auth: withoutClientId, phone: { kind: 'twilio', edge: 'tokyo' } }, 'config.json: auth.clientId is missing'],
    ['a renamed key', { apiUrl: '', auth: { ...rest, issuer: authority }, phone: { kind: 'twilio', edge: 'tokyo' } }, "config.json: unknown key 'auth.issuer'"],
    ['a key of the old shape', { mode: 'local', auth: 'dev', phone: 'simulator', api_base: '' }, "config.json: unknown key 'mode'"],
    ['a user pool id instead of the authority', { apiUrl: '', userPoolId: 'ap-northeast-1_abc', auth: cognito, phone: { kind: 'twilio', edge: 'tokyo' } }, "config.json: unknown key 'userPoolId'"],
    ['a plain http API away from loopback', { apiUrl: 'http://api.example.jp', auth: { kind: 'dev' }, phone: { kind: 'simulator' } }, 'config.json: apiUrl must be https://'],
    ['an unknown phone', { apiUrl: '', auth: { kind: 'dev' }, phone: { kind: 'sip' } }, "config.json: phone.kind must be 'simulator' or 'twilio', not 'sip'"],
    ['a file that is not an object', '[]', 'config.json: the file must hold a JSON object'],
  ];

  for (const [what, value, message] of cases) {
    test(`the page refuses ${what} and says which key`, async () => {
      server.set(value);
      const page = await newPage(browser);
      page.errors = [];
      await page.goto(`${server.url}/`);
      const alert = page.locator('.boot [role="alert"]');
      await textContains(alert, message);
      assert.equal(await page.locator('#signin, #operator').count(), 0, 'no sign-in, no operator screen');
      if (what === 'a missing key') await shot(page, 'signin-config-missing-key');
      await page.context().close();
    });
  }
});
