// The operator's day as the manual describes it, walked in Chromium against the local runtime's
// Twilio simulator: the manual's transfer (保留 → 転送 → a user's name, 画面転送 its own button,
// 切断 once they answer); 後処理 with its countdown, extended or ended, back to the status the
// operator had before the call (an outbound worker in 離席 stays 離席 through three list calls and
// gets no inbound call); 発信応答 refused in 受付可 with the reason in sight; the talk script of
// the number the customer called; the /monitor link for supervisors.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, eventually, launchBrowser, newPage, setStatus, shot, signIn, simRequest, simUntil, startConsole, textContains } from './harness.mjs';

const YAMADA = '03-1234-5678';

describe("the operator's day as the manual describes it", { timeout: 300_000 }, () => {
  let console_;
  let browser;
  let sato;

  const sim = (method, path, body) => simRequest(console_.url, method, path, body);
  const simWait = (condition) => simUntil(console_.url, condition);

  async function operatorPage(user) {
    const page = await newPage(browser);
    await signIn(page, console_.url, user);
    await page.locator('#call-status.call-idle').waitFor();
    return page;
  }

  async function idle(page) {
    await page.locator('#call-status.call-idle').waitFor();
  }

  /** The admin sets a call-handling setting. */
  async function callHandling(change) {
    const { body: settings } = await api(console_.url, 'admin-watanabe', 'GET', '/api/settings');
    const value = { ...settings.call_handling, ...change };
    const r = await api(console_.url, 'admin-watanabe', 'PUT', '/api/settings/call_handling', { version: settings.versions.call_handling ?? 0, value });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }

  async function me(user) {
    return (await api(console_.url, user, 'GET', '/api/operators/me')).body;
  }

  before(async () => {
    console_ = await startConsole();
    browser = await launchBrowser();
    sato = await operatorPage('op-sato');
  });

  after(async () => {
    await browser?.close();
    await console_?.stop();
  });

  test('the bar says what the status means: オフライン at sign-in, 待受中 in 受付可, where 発信応答 is disabled with the reason in sight', async () => {
    await textContains(sato.locator('#call-badge'), 'オフライン');
    await textContains(sato.locator('#call-text'), '着信しません');
    assert.equal(await sato.inputValue('#info-status'), 'offline');
    assert.ok(await sato.locator('#op-dialAnswer').isEnabled(), 'オフライン may dial, as the manual says (any status but 受付可)');

    await setStatus(sato, 'available');
    await textContains(sato.locator('#call-badge'), '待受中');
    await textContains(sato.locator('#call-text'), '受付可のため発信はできません');
    await eventually(() => sato.locator('#op-dialAnswer').isDisabled(), 5000, '発信応答 to be disabled');
    assert.ok(await sato.locator('#op-dialAnswer').isDisabled(), '発信応答 is refused in 受付可 before any leg is placed');
    await textContains(sato.locator('#op-dialAnswer-why'), '受付可の状態では発信できません');
    assert.match(await sato.getAttribute('#op-dialAnswer', 'title'), /受付可の状態では発信できません/);
    await shot(sato.locator('#region-ops'), '20-dial-refused-available');

    await setStatus(sato, 'away');
    await textContains(sato.locator('#call-badge'), '離席');
    await textContains(sato.locator('#call-text'), '番号を入力して発信できます');
    assert.ok(await sato.locator('#op-dialAnswer').isEnabled());
  });

  test('a supervisor has a link to /monitor on the operator page; an operator has none', async () => {
    assert.equal(await sato.locator('#info-monitor').count(), 0);
    // Everything in the information bar stays on the 1366-px screen, the extra links included.
    for (const user of ['sv-ito', 'admin-watanabe']) {
      const p = await operatorPage(user);
      const box = await p.locator('.info-tools button', { hasText: 'サインアウト' }).boundingBox();
      assert.ok(box && box.x + box.width <= 1366, `${user}: サインアウト is on screen (${JSON.stringify(box)})`);
      assert.equal(await p.evaluate(() => document.documentElement.scrollWidth), 1366, `${user}: nothing wider than the screen`);
      await p.context().close();
    }
    const ito = await operatorPage('sv-ito');
    const link = ito.locator('#info-monitor');
    await textContains(link, 'モニタリング');
    await link.click();
    await ito.locator('#monitor').waitFor();
    assert.equal(new URL(ito.url()).pathname, '/monitor');
    await ito.context().close();
  });

  test('the talk script follows the number the customer called, not the outbound line chosen', async () => {
    await setStatus(sato, 'available');
    assert.equal(await sato.inputValue('#info-line'), 'main');
    const started = await sim('POST', '/sim/calls', { from: YAMADA, to: '+815030001234' });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const sid = started.body.sid;
    await sato.locator('#incoming-dialog').waitFor();
    await sato.click('#incoming-accept');
    await simWait({ conference: sid, labels: ['customer', 'operator'] });
    await textContains(sato.locator('#call-badge'), '通話中');
    await eventually(async () => (await sato.getAttribute('#info-script', 'title'))?.includes('お客様が電話した番号'), 8000, 'the script of the number called');
    await sato.click('#info-script');
    const dialog = sato.locator('#script-dialog');
    await textContains(dialog, '架電時の基本トーク');
    await textContains(sato.locator('#script-source'), '着信番号: 営業部');
    await shot(dialog, '20-script-of-number-called');
    await sato.keyboard.press('Escape');
    await sato.click('#op-hangUp');
    await simWait({ call: sid, status: 'completed', settled: true });
    await idle(sato);
    // Back to the line chosen for dialling.
    await eventually(async () => (await sato.getAttribute('#info-script', 'title'))?.includes('選択中の発信回線'), 5000, 'the line’s script again');
    await setStatus(sato, 'away');
  });

  test('電話を転送する: 通話中の電話を[保留]にします → [転送]をクリックし、転送先一覧から該当ユーザー名をクリックします → 転送先のユーザーが応答したら、[切断]をクリックします', async () => {
    await setStatus(sato, 'available');
    const started = await sim('POST', '/sim/calls', { from: YAMADA });
    const sid = started.body.sid;
    await sato.locator('#incoming-dialog').waitFor();
    await sato.click('#incoming-accept');
    await simWait({ conference: sid, labels: ['customer', 'operator'] });
    await textContains(sato.locator('#call-badge'), '通話中');

    const tanaka = await operatorPage('op-tanaka');
    await setStatus(tanaka, 'available');
    const suzuki = await operatorPage('op-suzuki');
    await setStatus(suzuki, 'away');

    // 1. 通話中の電話を[保留]にします。
    await sato.click('#op-hold');
    await simWait({ call: sid, held: true });
    await textContains(sato.locator('#call-badge'), '保留中');

    // 2. [転送]をクリックし、転送先一覧から該当ユーザー名をクリックします。
    await sato.click('#op-transfer');
    const dialog = sato.locator('#transfer-dialog');
    await dialog.waitFor();
    const tanakaName = dialog.locator('button.transfer-to[data-operator="op-tanaka"]');
    await tanakaName.waitFor();
    assert.ok(await tanakaName.isEnabled(), '受付可 can be clicked');
    const suzukiName = dialog.locator('button.transfer-to[data-operator="op-suzuki"]');
    assert.ok(await suzukiName.isDisabled(), '離席 is greyed');
    await textContains(dialog.locator('li[data-operator="op-suzuki"]'), '離席のため転送できません');
    assert.ok(await dialog.locator('button.transfer-to[data-operator="op-takahashi"]').isDisabled(), 'オフライン is greyed');
    await textContains(dialog.locator('li[data-operator="op-takahashi"]'), 'オフライン');
    assert.equal(await dialog.locator('input[type="radio"]').count(), 0, 'no radio buttons to choose first');
    assert.equal(await dialog.locator('input[type="checkbox"]:checked').count(), 0, 'nothing ticked in advance');
    assert.ok(await dialog.locator('li[data-operator="op-tanaka"] button.transfer-screen').isVisible(), '画面転送 is its own button');
    assert.ok(!(await dialog.locator('#transfer-cold').isVisible()), 'the blind transfer is an extra choice, folded away');
    await shot(dialog, '20-transfer-list');
    await tanakaName.click();
    await textContains(sato.locator('#call-badge'), '転送中');

    const ring = tanaka.locator('#incoming-dialog');
    await ring.waitFor();
    await textContains(tanaka.locator('#incoming-transfer'), '佐藤 花子 さんからのウォーム転送');
    assert.ok(!(await tanaka.locator('#incoming-transfer').textContent()).includes('画面転送あり'), 'a click on the name sends no screen');
    await tanaka.click('#incoming-accept');
    await simWait({ conference: sid, labels: ['customer', 'operator', 'transfer'] });
    await textContains(sato.locator('#ops-message'), '田中 健太 さんが応答しました');

    // 3. 転送先のユーザーが応答したら、[切断]をクリックします。
    await sato.click('#op-hangUp');
    await simWait({ conference: sid, labels: ['customer', 'transfer'], without_labels: ['operator'], settled: true });
    await idle(sato);
    await textContains(sato.locator('#ops-message'), '田中 健太 さんへ転送しました');
    await textContains(tanaka.locator('#call-badge'), '通話中');

    // ※[画面転送]: Tanaka types a memo and hands the call back to Sato with the screen.
    await setStatus(sato, 'available');
    await tanaka.locator('#memo-text').click();
    await tanaka.keyboard.type('住所変更の件、佐藤へ戻す');
    await tanaka.selectOption('#memo-status', 'escalated');
    await textContains(tanaka.locator('.save-indicator'), '保存済み');
    await tanaka.click('#op-hold');
    await simWait({ call: sid, held: true });
    await tanaka.click('#op-transfer');
    await tanaka.locator('#transfer-dialog li[data-operator="op-sato"] button.transfer-screen').click();
    await sato.locator('#incoming-dialog').waitFor();
    await textContains(sato.locator('#incoming-transfer'), '画面転送あり');
    await sato.click('#incoming-accept');
    await eventually(async () => (await sato.inputValue('#memo-text')) === '住所変更の件、佐藤へ戻す', 8000, 'the memo sent with the screen');
    // The memo that came with the screen is the one Tanaka saved: the badge does not say 未保存.
    await textContains(sato.locator('.save-indicator'), '保存済み');
    await shot(sato.locator('#memo-panel'), '20-screen-transfer-memo-badge');
    await tanaka.click('#op-hangUp');
    await idle(tanaka);
    await textContains(sato.locator('#call-badge'), '通話中');
    // The memo that came with the screen is saved: the receiver's badge says so.
    await textContains(sato.locator('.save-indicator'), '保存済み');
    await shot(sato, '20-screen-transfer-received');
    await sato.click('#op-hangUp');
    await simWait({ call: sid, status: 'completed', settled: true });
    await idle(sato);
    await tanaka.context().close();
    await suzuki.context().close();
    await setStatus(sato, 'away');
  });

  test('an outbound worker in 離席 is still 離席 after three list calls, through 後処理 extended, ended and run out, and no inbound call is routed to them', async () => {
    await callHandling({ wrap_up_seconds: 6 });
    await sato.reload();
    await idle(sato);
    await setStatus(sato, 'away');
    let waiting = null;
    for (let i = 0; i < 3; i++) {
      await sato.click('#op-callList');
      const dialog = sato.locator('#calllist-dialog');
      await dialog.waitFor();
      if (i === 0) await sato.locator('#calllist-dialog .calllist-list', { hasText: '春の更新キャンペーン' }).click();
      await sato.click('#calllist-next');
      await dialog.waitFor({ state: 'hidden' });
      await textContains(sato.locator('#call-badge'), '架電リスト');
      if (i > 0) {
        // The target just taken shows nothing of the previous call's memo.
        assert.equal(await sato.inputValue('#memo-text'), '', 'no memo of the previous call under the new customer');
        assert.equal(await sato.inputValue('#memo-status'), '', 'no response status of the previous call');
      }
      await eventually(async () => (await sato.inputValue('#customer-phone')) !== '', 5000, 'the number in Customer info');
      await sato.click('#op-dialAnswer');
      const placed = await eventually(async () => {
        const { body } = await sim('GET', '/sim/state');
        return body.calls.find((c) => c.direction === 'outbound-api' && c.status !== 'completed' && c.party?.kind !== 'client');
      }, 10_000, 'the customer’s call');
      assert.equal((await sim('POST', `/sim/calls/${placed.sid}/answer`)).status, 204);
      await textContains(sato.locator('#call-badge'), '通話中');
      await sato.locator('#memo-text').click();
      await sato.keyboard.type(`架電${i + 1}件目`);
      await sato.selectOption('#memo-status', 'resolved');
      await textContains(sato.locator('.save-indicator'), '保存済み');
      await sato.click('#op-hangUp');
      await simWait({ call: placed.sid, status: 'completed', settled: true });
      await sato.locator('#calllist-result').waitFor();
      await sato.click('#calllist-record');
      await sato.locator('#calllist-dialog').waitFor({ state: 'hidden' });

      // 後処理 with its countdown, ending in 離席.
      await textContains(sato.locator('#call-badge'), '後処理');
      await textContains(sato.locator('#call-text'), '終了後は離席');
      assert.match(await sato.locator('#call-text').textContent(), /残り 0:0\d/);
      if (i === 0) {
        await shot(sato.locator('#region-ops'), '20-wrap-up-countdown');
        // A customer calls now: nobody can take it, Sato least of all.
        waiting = (await sim('POST', '/sim/calls', { from: '03-1111-2222' })).body.sid;
        await sato.click('#wrapup-end');
      } else if (i === 1) {
        const before = (await me('op-sato')).wrap_up_until;
        await new Promise((r) => setTimeout(r, 1100));
        await sato.click('#wrapup-extend');
        await eventually(async () => (await me('op-sato')).wrap_up_until > before, 5000, 'the countdown to start over');
        await sato.click('#wrapup-end');
      }
      // The third runs out on its own.
      await eventually(async () => (await sato.inputValue('#info-status')) === 'away', 12_000, 'back to 離席');
      assert.equal((await me('op-sato')).status, 'away');
    }
    assert.equal(await sato.locator('#incoming-dialog').isVisible(), false, 'no call rang for Sato');
    const { body: state } = await sim('GET', '/sim/state');
    const call = state.calls.find((c) => c.sid === waiting);
    assert.ok(call && call.status !== 'completed', 'the customer is still waiting for someone in 受付可');
    await sim('POST', `/sim/calls/${waiting}/hangup`);
    await callHandling({ wrap_up_seconds: 60 });
  });

  test('対応ステータス必須: 後処理 cannot be ended before the response status is chosen, and says why', async () => {
    await callHandling({ wrap_up_seconds: 4 });
    // The admin turns 対応ステータス必須 on in the call handling section.
    const admin = await newPage(browser);
    await admin.goto(`${console_.url}/admin`);
    await admin.locator('button[data-user="admin-watanabe"]').click();
    const section = admin.locator('#section-call_handling');
    await section.waitFor();
    await section.locator('#ch-require_response_status').check();
    await admin.click('#save-call_handling');
    await textContains(admin.locator('#message-call_handling'), '保存しました');
    await shot(section, '20-admin-status-required');
    await admin.context().close();
    assert.equal((await api(console_.url, 'op-sato', 'GET', '/api/settings')).body.call_handling.require_response_status, true);
    await sato.reload();
    await idle(sato);
    await setStatus(sato, 'available');
    const started = await sim('POST', '/sim/calls', { from: YAMADA });
    const sid = started.body.sid;
    await sato.locator('#incoming-dialog').waitFor();
    await sato.click('#incoming-accept');
    await simWait({ conference: sid, labels: ['customer', 'operator'] });
    await sato.click('#op-hangUp');
    await simWait({ call: sid, status: 'completed', settled: true });
    await textContains(sato.locator('#call-badge'), '後処理');
    await textContains(sato.locator('#call-text'), '終了後は受付可');
    assert.ok(await sato.locator('#wrapup-end').isDisabled());
    await textContains(sato.locator('#wrapup-why'), '対応ステータスを選んでください');
    assert.match(await sato.locator('#call-text').textContent(), /残り \d+:\d\d（終了後は受付可）/);
    await shot(sato.locator('#region-ops'), '20-wrap-up-status-required');
    // The status select refuses too.
    await sato.selectOption('#info-status', 'available');
    await textContains(sato.locator('#ops-message'), '対応ステータスを選んでから');
    assert.equal(await sato.inputValue('#info-status'), 'wrap_up');
    // The countdown runs out with no status chosen: wrap-up starts over instead of ending.
    const until = (await me('op-sato')).wrap_up_until;
    await textContains(sato.locator('#ops-message'), '対応ステータスが未選択のため、後処理を延長しました', 10_000);
    const later = await eventually(async () => {
      const m = await me('op-sato');
      return m.wrap_up_until > until ? m : null;
    }, 10_000, 'wrap-up started over');
    assert.equal(later.status, 'wrap_up');
    await sato.selectOption('#memo-status', 'resolved');
    await eventually(() => sato.locator('#wrapup-end').isEnabled(), 5000, '後処理終了 enabled');
    await sato.click('#wrapup-end');
    await eventually(async () => (await sato.inputValue('#info-status')) === 'available', 5000, '受付可');
    await callHandling({ require_response_status: false });
    await setStatus(sato, 'away');
    assert.deepEqual(sato.errors.map(String), []);
  });

  test('対応ステータス必須 holds on the server too: a page that lost the memo (reloaded with its stored draft gone) is refused with the reason, and reads the memo again to choose the status', async () => {
    await callHandling({ wrap_up_seconds: 60, require_response_status: true });
    await setStatus(sato, 'available');
    const started = await sim('POST', '/sim/calls', { from: YAMADA });
    const sid = started.body.sid;
    await sato.locator('#incoming-dialog').waitFor();
    await sato.click('#incoming-accept');
    await simWait({ conference: sid, labels: ['customer', 'operator'] });
    await sato.click('#op-hangUp');
    await simWait({ call: sid, status: 'completed', settled: true });
    await textContains(sato.locator('#call-badge'), '後処理');
    // The page forgets the call's memo, and cannot read it again: its own check has nothing to go by.
    const forget = () =>
      sato.evaluate(() => {
        for (const k of Object.keys(sessionStorage)) if (k.startsWith('console.memo')) sessionStorage.removeItem(k);
      });
    await forget();
    await sato.route('**/api/memos/**', (route) => (route.request().method() === 'GET' ? route.abort() : route.continue()));
    await sato.reload();
    await textContains(sato.locator('#call-badge'), '後処理');
    await eventually(() => sato.locator('#wrapup-end').isEnabled(), 5000, '後処理終了 offered by the page');
    await sato.click('#wrapup-end');
    await textContains(sato.locator('#ops-message'), '対応ステータスが未選択です');
    await shot(sato.locator('#region-ops'), '20-wrap-up-status-required-server');
    assert.equal((await me('op-sato')).status, 'wrap_up');
    // The status select is refused too (the same words), and shows 後処理 again once answered.
    await sato.selectOption('#info-status', 'break');
    await textContains(sato.locator('#ops-message'), '会話メモで対応ステータスを選んでから');
    await eventually(async () => (await sato.inputValue('#info-status')) === 'wrap_up', 5000, 'the select back on 後処理');
    assert.equal((await me('op-sato')).status, 'wrap_up');

    // With the memo readable again, the page shows the call's memo, keeps 後処理 until its status
    // is chosen there, and then ends it.
    await sato.unroute('**/api/memos/**');
    await forget();
    await sato.reload();
    await textContains(sato.locator('#call-badge'), '後処理');
    await eventually(() => sato.locator('#wrapup-end').isDisabled(), 5000, '後処理終了 waits for the status');
    await textContains(sato.locator('#wrapup-why'), '対応ステータスを選んでください');
    await sato.selectOption('#memo-status', 'resolved');
    await eventually(async () => (await api(console_.url, 'op-sato', 'GET', `/api/memos/${sid}`)).body.response_status === 'resolved', 5000, 'the status saved');
    await eventually(() => sato.locator('#wrapup-end').isEnabled(), 5000, '後処理終了 enabled');
    await sato.click('#wrapup-end');
    await eventually(async () => (await sato.inputValue('#info-status')) === 'available', 5000, '受付可');
    await callHandling({ require_response_status: false });
    await setStatus(sato, 'away');
  });
});
