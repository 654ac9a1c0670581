// The live channel in Chromium against the local runtime: changes reach the page pushed over
// the WebSocket at /live instead of read over and over. An admin's settings change reaches a
// signed-in operator's screen without a reload; a channel dropped in the middle of a call says
// so on the page, comes back by itself and shows the call as it is now. The channel is cut
// with Playwright's WebSocket routing (the page's socket goes through the test, which can close
// it and refuse reconnections); the tests wait on the page, never on the clock.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, eventually, launchBrowser, newPage, shot, signIn, simRequest, simUntil, startConsole, textContains } from './harness.mjs';

const YAMADA = '03-1234-5678';

describe('live updates pushed to the page', { timeout: 180_000 }, () => {
  let console_;
  let browser;

  const sim = (method, path, body) => simRequest(console_.url, method, path, body);

  const simWait = (condition) => simUntil(console_.url, condition);

  /**
   * Routes the page's live channel through the test: `cut()` closes the connection and refuses
   * new ones until `restore()`. Counts the connections opened.
   */
  async function routeLive(page) {
    const state = { refusing: false, open: [], opened: 0 };
    await page.routeWebSocket(/\/live$/, (ws) => {
      if (state.refusing) {
        ws.close({ code: 1011, reason: 'cut by the test' });
        return;
      }
      state.opened += 1;
      ws.connectToServer();
      state.open.push(ws);
    });
    return {
      state,
      async cut() {
        state.refusing = true;
        for (const ws of state.open.splice(0)) await ws.close({ code: 1006, reason: 'cut by the test' }).catch(() => undefined);
      },
      restore() {
        state.refusing = false;
      },
    };
  }

  /** Counts the page's GET requests whose path `path` matches (a string: exactly) from now on. */
  function countRequests(page, path) {
    const seen = { n: 0 };
    page.on('request', (r) => {
      const p = new URL(r.url()).pathname;
      if (r.method() === 'GET' && (typeof path === 'string' ? p === path : path.test(p))) seen.n += 1;
    });
    return seen;
  }

  before(async () => {
    console_ = await startConsole();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await console_?.stop();
  });

  test("an admin's settings change reaches a signed-in operator's screen without a reload", async () => {
    const sato = await newPage(browser);
    const settingsReads = countRequests(sato, '/api/settings');
    await signIn(sato, console_.url, 'op-sato');
    await sato.locator('#call-status.call-idle').waitFor();
    await eventually(async () => (await sato.evaluate(() => document.querySelector('#live-banner') === null)), 5000, 'no banner');
    await sato.evaluate(() => {
      window.__notReloaded = true;
    });
    // Nothing polls the settings: after sign-in they are read once.
    await sato.waitForTimeout(1500);
    const readsBefore = settingsReads.n;
    assert.equal(readsBefore, 1, `the settings were read ${readsBefore} times before anything changed`);

    const { body: current } = await api(console_.url, 'admin-watanabe', 'GET', '/api/settings');
    const statuses = current.presence_statuses ?? [];
    assert.ok(!statuses.some((p) => p.id === 'quality_review'), 'a status the operator has not seen yet');
    const version = current.versions?.presence_statuses ?? 0;
    const saved = await api(console_.url, 'admin-watanabe', 'PUT', '/api/settings/presence_statuses', {
      version,
      value: [...statuses, { id: 'quality_review', label: '品質確認', label_en: 'Quality review' }],
    });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    const at = Date.now();
    await eventually(
      async () => (await sato.locator('#info-status option[value="quality_review"]').count()) === 1,
      5000,
      'the new status in the operator’s status menu',
    );
    console.log(`the admin's change showed on the operator's screen after ${Date.now() - at} ms`);
    await textContains(sato.locator('#info-status option[value="quality_review"]'), '品質確認');
    assert.equal(await sato.evaluate(() => window.__notReloaded), true, 'the page was not reloaded');
    assert.equal(settingsReads.n - readsBefore, 1, 'one read for the change (one more follows once the functions\' 5-second cache has turned over)');
    assert.deepEqual(sato.errors, []);
    await sato.context().close();
  });

  test('a channel dropped in the middle of a call says so, comes back and shows the call as it is now', async () => {
    const sato = await newPage(browser);
    const live = await routeLive(sato);
    const callReads = countRequests(sato, /^\/api\/calls\/CA/);
    await signIn(sato, console_.url, 'op-sato');
    await sato.locator('#call-status.call-idle').waitFor();
    await eventually(async () => live.state.opened >= 1, 5000, 'the live channel to open');

    await sato.selectOption('#info-status', 'available');
    await eventually(async () => (await sato.inputValue('#info-status')) === 'available', 5000, 'the status 受付可');
    const call = (await sim('POST', '/sim/calls', { from: YAMADA })).body.sid;
    await sato.locator('#incoming-dialog').waitFor();
    await simWait({ phone: 'op_sato' });
    await sato.click('#incoming-accept');
    await simWait({ conference: call, labels: ['customer', 'operator'], settled: true });
    await textContains(sato.locator('#call-badge'), '通話中');

    // While the channel is up, the call is not read over and over (it was every second).
    // (A change Twilio still reports is pushed and read once; polling read it five times.)
    // The answer's own changes are pushed and read first (later on a loaded machine): the
    // quiet starts once a second has gone by without a read.
    await eventually(async () => {
      const n = callReads.n;
      await sato.waitForTimeout(1000);
      return callReads.n === n;
    }, 10_000, 'the reads of the answered call to settle');
    const idleFrom = callReads.n;
    await sato.waitForTimeout(5000);
    assert.ok(callReads.n - idleFrom <= 2, `${callReads.n - idleFrom} reads of the call in 5 s of nothing happening`);

    // Pushed: the call held from elsewhere (another tab of the same operator) shows at once.
    let r = await api(console_.url, 'op-sato', 'POST', `/api/calls/${call}/hold`);
    assert.equal(r.status, 204, JSON.stringify(r.body));
    await textContains(sato.locator('#call-badge'), '保留中', 3000);
    r = await api(console_.url, 'op-sato', 'POST', `/api/calls/${call}/unhold`);
    assert.equal(r.status, 204, JSON.stringify(r.body));
    await textContains(sato.locator('#call-badge'), '通話中', 3000);

    // The channel is cut and stays down: the page says so.
    await live.cut();
    await textContains(sato.locator('#live-banner'), 'リアルタイム更新が途切れています。再接続しています…');
    await shot(sato, 'live-interrupted');
    // Meanwhile the call is held from elsewhere: nothing is pushed.
    r = await api(console_.url, 'op-sato', 'POST', `/api/calls/${call}/hold`);
    assert.equal(r.status, 204, JSON.stringify(r.body));

    // The channel is allowed back: it reconnects by itself and reads the call once.
    const opened = live.state.opened;
    live.restore();
    await eventually(async () => live.state.opened > opened, 20_000, 'the page to reconnect');
    await textContains(sato.locator('#call-badge'), '保留中', 5000);
    await eventually(async () => (await sato.locator('#live-banner').count()) === 0, 5000, 'the banner to go');
    assert.deepEqual(sato.errors, []);

    r = await api(console_.url, 'op-sato', 'POST', `/api/calls/${call}/unhold`);
    assert.equal(r.status, 204);
    await textContains(sato.locator('#call-badge'), '通話中', 3000);
    assert.equal((await sim('POST', `/sim/calls/${call}/hangup`)).status, 204);
    await sato.locator('#call-status.call-idle').waitFor({ timeout: 15_000 }).catch(() => undefined);
    await sato.context().close();
  });
});
