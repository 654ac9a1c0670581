// A transfer offered over the live channel, in Chromium against the local runtime: the target's
// page shows the offer from the pushed `transfer_offered` alone — the test holds back the
// softphone's ring (Playwright sits between the page and the simulator's /sim/phone socket and
// drops its `incoming` events) — and the offer goes when the first operator calls the transfer
// off. With the ring let through, the same dialog becomes the ringing transfer and can be
// answered. The tests wait on the page, never on the clock.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, launchBrowser, newPage, setStatus, shot, signIn, simRequest, simUntil, startConsole, textContains } from './harness.mjs';

const YAMADA = '03-1234-5678';

describe('transfer offers pushed to the target', { timeout: 180_000 }, () => {
  let console_;
  let browser;

  const sim = (method, path, body) => simRequest(console_.url, method, path, body);

  const simWait = (condition) => simUntil(console_.url, condition);


  /** Passes the page's softphone socket through the test, dropping rings while `dropRings` is set. */
  async function holdBackRings(page) {
    const state = { dropRings: true, dropped: 0 };
    await page.routeWebSocket(/\/sim\/phone/, (ws) => {
      const server = ws.connectToServer();
      server.onMessage((m) => {
        if (state.dropRings && typeof m === 'string' && JSON.parse(m).type === 'incoming') {
          state.dropped += 1;
          return;
        }
        ws.send(m);
      });
    });
    return state;
  }

  before(async () => {
    console_ = await startConsole();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await console_?.stop();
  });

  test('the target sees the offer before the phone rings, it goes when called off, and the ring then makes it answerable', async () => {
    const tanaka = await newPage(browser);
    const rings = await holdBackRings(tanaka);
    await signIn(tanaka, console_.url, 'op-tanaka');
    await tanaka.locator('#call-status.call-idle').waitFor();
    await setStatus(tanaka, 'away');

    const sato = await newPage(browser);
    await signIn(sato, console_.url, 'op-sato');
    await sato.locator('#call-status.call-idle').waitFor();
    await setStatus(sato, 'available');
    const sid = (await sim('POST', '/sim/calls', { from: YAMADA })).body.sid;
    await sato.locator('#incoming-dialog').waitFor();
    await simWait({ phone: 'op_sato' });
    await sato.click('#incoming-accept');
    await simWait({ conference: sid, labels: ['customer', 'operator'], settled: true });

    // A warm transfer to Tanaka (受付可 now), whose ring the test holds back: the push alone shows it.
    await setStatus(tanaka, 'available');
    await sato.click('#op-transfer');
    await sato.locator('#transfer-operators button.transfer-to[data-operator="op-tanaka"]').click();
    await tanaka.locator('#incoming-offer').waitFor();
    await textContains(tanaka.locator('#incoming-transfer'), '佐藤 花子 さんからのウォーム転送');
    await textContains(tanaka.locator('#incoming-offer-state'), 'まもなく電話が鳴ります');
    assert.ok(await tanaka.locator('#incoming-accept').isDisabled(), '応答 waits for the ring');
    await eventually(async () => rings.dropped >= 1, 10_000, 'the ring the test held back');
    await shot(tanaka, 'transfer-offer-before-ring');

    // Sato calls it off: the offer goes from Tanaka's screen.
    await sato.locator('#transfer-cancel').click();
    await tanaka.locator('#incoming-dialog').waitFor({ state: 'hidden' });
    assert.equal(await tanaka.locator('#incoming-offer').count(), 0);

    // Again, with the ring let through: the offer becomes the ringing transfer, answerable.
    rings.dropRings = false;
    await sato.click('#op-transfer');
    await sato.locator('#transfer-operators li[data-operator="op-tanaka"] button.transfer-screen').click();
    await tanaka.locator('#incoming-dialog').waitFor();
    await eventually(async () => !(await tanaka.locator('#incoming-accept').isDisabled()), 10_000, '応答 to be enabled by the ring');
    await textContains(tanaka.locator('#incoming-transfer'), '画面転送あり');
    await textContains(tanaka.locator('#incoming-match'), '山田商事株式会社');
    await tanaka.click('#incoming-accept');
    await simWait({ conference: sid, labels: ['customer', 'operator', 'transfer'] });
    await textContains(tanaka.locator('#call-badge'), '引継ぎ中');

    assert.equal((await sim('POST', `/sim/calls/${sid}/hangup`)).status, 204);
    await tanaka.locator('#call-status.call-idle').waitFor({ timeout: 15_000 });
    await sato.locator('#call-status.call-idle').waitFor({ timeout: 15_000 });
    assert.deepEqual(tanaka.errors.map(String), []);
    assert.deepEqual(sato.errors.map(String), []);
    await tanaka.context().close();
    await sato.context().close();
  });
});
