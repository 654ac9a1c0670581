// What the best agent desktops have, walked in Chromium against the local runtime's Twilio
// simulator: the consultation call on a chosen line (保留中外線発信 "on another line"), a barred
// number refused before anything is dialled, mute and the other global shortcuts with their help
// on `?`, 手上げ answered from the supervisor's board in one click, click-to-dial from a record's
// phone field and a history row, a warm transfer to an outside number, and the pre-call check's
// microphone level meter (Chromium's fake microphone). The tests wait on the page or on /sim/wait, never on the clock.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { api, eventually, launchBrowser, newPage, setStatus, shot, signIn, simRequest, simUntil, startConsole, textContains } from './harness.mjs';

const YAMADA = '03-1234-5678';
const YAMADA_E164 = '+81312345678';
const SALES_LINE = '+815030001234';

describe('the agent desktop: lines, dial-out policy, shortcuts, 手上げ, click-to-dial, pre-call check', { timeout: 300_000 }, () => {
  let console_;
  let browser;
  let sato;

  const sim = (method, path, body) => simRequest(console_.url, method, path, body);
  const simWait = (condition) => simUntil(console_.url, condition);

  async function callsTo(number) {
    const { body } = await sim('GET', '/sim/state');
    return body.calls.filter((c) => c.to === number && c.direction === 'outbound-api');
  }

  /** Sato's softphone leg on the call, as the simulator holds it. */
  async function satoLeg() {
    const { body } = await sim('GET', '/sim/state');
    return body.calls.findLast((c) => c.party.kind === 'client' && c.party.address === 'op_sato' && c.status === 'in-progress');
  }

  /** A customer calls from YAMADA and Sato answers on the page; returns the call's id. */
  async function answeredCall() {
    await setStatus(sato, 'available');
    const started = await sim('POST', '/sim/calls', { from: YAMADA });
    const sid = started.body.sid;
    await sato.locator('#incoming-dialog').waitFor();
    await sato.click('#incoming-accept');
    await simWait({ conference: sid, labels: ['customer', 'operator'], settled: true });
    await textContains(sato.locator('#call-badge'), '通話中');
    return sid;
  }

  async function hangUp(sid) {
    await sato.click('#op-hangUp');
    await simWait({ call: sid, status: 'completed', settled: true });
    await sato.locator('#call-status.call-idle').waitFor();
  }

  before(async () => {
    console_ = await startConsole();
    // No 後処理 between the calls: each test starts from the status it sets.
    const settings = await api(console_.url, 'admin-watanabe', 'GET', '/api/settings');
    const handling = await api(console_.url, 'admin-watanabe', 'PUT', '/api/settings/call_handling', {
      version: settings.body.versions.call_handling ?? 0,
      value: { ...settings.body.call_handling, wrap_up_seconds: 0 },
    });
    assert.equal(handling.status, 200, JSON.stringify(handling.body));
    browser = await launchBrowser();
    sato = await newPage(browser);
    await signIn(sato, console_.url, 'op-sato');
    await sato.locator('#call-status.call-idle').waitFor();
  });

  after(async () => {
    await browser?.close();
    await console_?.stop();
  });

  // A test that failed half-way leaves no call behind for the next one.
  beforeEach(async () => {
    const current = await api(console_.url, 'op-sato', 'GET', '/api/calls/current');
    const left = current.body?.call?.sid;
    if (left) {
      await api(console_.url, 'op-sato', 'POST', `/api/calls/${left}/hangup`);
      await simWait({ call: left, status: 'completed', settled: true }).catch(() => undefined);
    }
    await sato.locator('#call-status.call-idle').waitFor().catch(() => undefined);
  });

  test('保留中外線発信 on another line: the consultation call goes out on the line chosen in the dialog, and a barred number is refused before any call', async () => {
    const sid = await answeredCall();
    await sato.click('#op-hold');
    await sato.locator('#consult-dialog').waitFor();
    // The information bar's line first; the other line chosen in the dialog.
    assert.equal(await sato.inputValue('#consult-line'), 'main');
    await sato.selectOption('#consult-line', 'sales');
    await textContains(sato.locator('.consult-intro'), '営業部');

    await sato.fill('#consult-number', '+44 20 7946 0123');
    await sato.click('#consult-dial');
    await textContains(sato.locator('#consult-error'), '発信が許可されていない国（GB）');
    await shot(sato.locator('#consult-dialog'), '20-consult-barred');
    await sato.fill('#consult-number', '0990-123-456');
    await sato.click('#consult-dial');
    await textContains(sato.locator('#consult-error'), '有料情報サービス');
    assert.deepEqual(await callsTo('+442079460123'), [], 'nothing was dialled to the UK');
    assert.deepEqual(await callsTo('+81990123456'), [], 'nothing was dialled to the premium-rate number');

    await sato.fill('#consult-number', '090-1111-2222');
    await sato.click('#consult-dial');
    const consult = await eventually(async () => (await callsTo('+819011112222'))[0], 8000, 'the consultation call');
    assert.equal(consult.from, SALES_LINE, 'the consultation call shows the sales line as caller ID');
    await shot(sato.locator('#consult-dialog'), '20-consult-other-line');
    await sim('POST', `/sim/calls/${consult.sid}/answer`, {});
    await simWait({ conference: sid, labels: ['customer', 'operator', 'consult'], settled: true });
    await sato.click('#consult-hangup');
    await simWait({ conference: sid, without_labels: ['consult'], settled: true });
    await sato.click('#op-hold');
    await simWait({ call: sid, held: false, settled: true });
    await hangUp(sid);
  });

  test('外部転送: a warm transfer to an outside number on a chosen line completes in the simulator', async () => {
    const sid = await answeredCall();
    await sato.click('#op-hold');
    await sato.locator('#consult-dialog').waitFor();
    // 転送 → その他の転送方法 → 外部の番号へ転送 leads back to the consultation dialog.
    await sato.click('#op-transfer');
    await sato.locator('#transfer-dialog summary').click();
    await shot(sato.locator('#transfer-dialog'), '20-transfer-external-choice');
    await sato.click('#transfer-external');
    await sato.locator('#consult-dialog').waitFor();
    await sato.selectOption('#consult-line', 'sales');
    await sato.fill('#consult-number', '090-3333-4444');
    await sato.click('#consult-dial');
    const outside = await eventually(async () => (await callsTo('+819033334444'))[0], 8000, 'the call to the outside party');
    assert.equal(outside.from, SALES_LINE);
    await sim('POST', `/sim/calls/${outside.sid}/answer`, {});
    await sato.locator('#consult-handover').waitFor();
    await shot(sato.locator('#consult-dialog'), '20-external-transfer');
    await sato.click('#consult-handover');
    await simWait({ conference: sid, labels: ['customer', 'consult'], without_labels: ['operator'], settled: true });
    await simWait({ call: sid, held: false, status: 'in-progress' });
    await sato.locator('#call-status.call-idle').waitFor();
    await textContains(sato.locator('#ops-message'), '相談先に転送しました');
    const me = await api(console_.url, 'op-sato', 'GET', '/api/operators/me');
    assert.equal(me.body.current_call, undefined, 'Sato is off the call');
    // The customer talks with the outside party until one of them hangs up.
    await sim('POST', `/sim/calls/${outside.sid}/hangup`, {});
    await simWait({ call: sid, status: 'completed', settled: true });
  });

  test('外部転送 without waiting: the customer is handed to an outside number on a chosen line and the operator leaves at once; history and the board show whom it went to', async () => {
    const handling = async (wrap) => {
      const { body } = await api(console_.url, 'admin-watanabe', 'GET', '/api/settings');
      const r = await api(console_.url, 'admin-watanabe', 'PUT', '/api/settings/call_handling', {
        version: body.versions.call_handling ?? 0,
        value: { ...body.call_handling, wrap_up_seconds: wrap },
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    };
    await handling(60);
    const sid = await answeredCall();
    await sato.click('#op-hold');
    await sato.locator('#consult-dialog').waitFor();
    await sato.selectOption('#consult-line', 'sales');
    // A barred number is refused before anything is dialled.
    await sato.fill('#consult-number', '+44 20 7946 0123');
    await sato.click('#consult-cold');
    await textContains(sato.locator('#consult-error'), '発信が許可されていない国（GB）');
    assert.deepEqual(await callsTo('+442079460123'), [], 'nothing was dialled to the UK');
    assert.equal((await api(console_.url, 'op-sato', 'GET', '/api/operators/me')).body.current_call, sid, 'still on the call');

    await sato.fill('#consult-number', '090-5555-6666');
    await shot(sato.locator('#consult-dialog'), '20-external-transfer-cold');
    await sato.click('#consult-cold');
    await sato.locator('#call-status.call-idle').waitFor();
    await textContains(sato.locator('#ops-message'), '090-5555-6666 へ転送しました');
    const outside = await eventually(async () => (await callsTo('+819055556666'))[0], 8000, 'the call to the outside number');
    assert.equal(outside.from, SALES_LINE, 'on the line chosen');
    await simWait({ conference: sid, labels: ['customer'], without_labels: ['operator'], settled: true });
    const me = await api(console_.url, 'op-sato', 'GET', '/api/operators/me');
    assert.equal(me.body.current_call, undefined, 'Sato left at once');
    assert.equal(me.body.status, 'wrap_up');

    // They answer: the customer comes off hold with them.
    await sim('POST', `/sim/calls/${outside.sid}/answer`, {});
    await simWait({ conference: sid, labels: ['customer', 'consult'], settled: true });
    await simWait({ call: sid, held: false, status: 'in-progress' });

    // The supervisor's board shows Sato in 後処理 after handing the call out, and to whom.
    const sv = await newPage(browser);
    await sv.goto(`${console_.url}/monitor`);
    await sv.locator('button[data-user="sv-ito"]').click();
    await textContains(sv.locator('#mon-external-op-sato'), '外部転送 → 090-5555-6666');
    await shot(sv.locator('#mon-op-op-sato'), '20-board-external');
    await sv.context().close();

    await sim('POST', `/sim/calls/${outside.sid}/hangup`, {});
    await simWait({ call: sid, status: 'completed', settled: true });
    // History shows it too.
    await sato.fill('#customer-phone', YAMADA);
    await sato.keyboard.press('Enter');
    await textContains(sato.locator('#customer-account'), '山田商事株式会社');
    await sato.click('#history-tab-calls');
    await textContains(sato.locator('#history-panel tbody tr').first(), '外部転送 → 090-5555-6666');
    await shot(sato.locator('#region-history'), '20-history-external');
    await handling(0);
    await setStatus(sato, 'away');
  });

  test('an outgoing call to a barred number is refused on the page before the softphone dials', async () => {
    await setStatus(sato, 'away');
    await sato.fill('#customer-phone', '+1 212 555 0123');
    await sato.click('#op-dialAnswer');
    await textContains(sato.locator('#ops-message'), '許可されていない国（US）');
    const { body } = await sim('GET', '/sim/state');
    assert.ok(!body.calls.some((c) => c.party.kind === 'client' && c.party.address === 'op_sato' && c.status !== 'completed'), 'no softphone leg was placed');
    assert.deepEqual(await callsTo('+12125550123'), []);
    await shot(sato.locator('#region-ops'), '20-dial-barred');
    await sato.fill('#customer-phone', '');
  });

  test('global shortcuts: mute and hold from the keyboard while typing the memo, listed in the help on ?', async () => {
    const sid = await answeredCall();
    await sato.click('#memo-text');
    await sato.keyboard.type('お問い合わせ');
    await sato.keyboard.press('Control+Alt+M');
    await eventually(async () => (await satoLeg())?.mic_muted === true, 5000, 'the softphone muted in the simulator');
    assert.equal(await sato.getAttribute('#call-mute', 'aria-pressed'), 'true');
    await sato.keyboard.press('Control+Alt+M');
    await eventually(async () => (await satoLeg())?.mic_muted === false, 5000, 'the softphone unmuted');
    assert.ok((await sato.inputValue('#memo-text')).includes('お問い合わせ'), 'the shortcut typed nothing into the memo');

    await sato.keyboard.press('Control+Alt+H');
    await simWait({ call: sid, held: true, settled: true });
    await sato.locator('#consult-dialog').waitFor();
    await sato.keyboard.press('Control+Alt+H');
    await simWait({ call: sid, held: false, settled: true });

    // ? outside a text field opens the list; typed into the memo it is a character.
    await sato.click('#call-text');
    await sato.keyboard.press('?');
    const help = sato.locator('#shortcut-help');
    await help.waitFor();
    await textContains(help, 'ミュート / ミュート解除');
    await textContains(help.locator('tr[data-action="mute"]'), 'Ctrl+Alt+M');
    await textContains(help.locator('#shortcut-memo-note'), '選択した文字を消さずに');
    await shot(help, '20-shortcut-help');
    await sato.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden' });

    await sato.keyboard.press('Control+Alt+E');
    await simWait({ call: sid, status: 'completed', settled: true });
    await sato.locator('#call-status.call-idle').waitFor();
  });

  test('a shortcut the admin changes takes effect on the operator screen and in its help', async () => {
    const settings = await api(console_.url, 'admin-watanabe', 'GET', '/api/settings');
    const saved = await api(console_.url, 'admin-watanabe', 'PUT', '/api/settings/shortcuts', {
      version: settings.body.versions.shortcuts ?? 0,
      value: { ...settings.body.shortcuts, answer: 'F9' },
    });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    const refused = await api(console_.url, 'admin-watanabe', 'PUT', '/api/settings/shortcuts', {
      version: saved.body.versions.shortcuts,
      value: { ...saved.body.shortcuts, hold: 'H' },
    });
    assert.equal(refused.status, 422, 'a bare letter would fire while typing');
    await sato.reload();
    await sato.locator('#call-status.call-idle').waitFor();
    await setStatus(sato, 'available');
    const started = await sim('POST', '/sim/calls', { from: YAMADA });
    await sato.locator('#incoming-dialog').waitFor();
    await sato.keyboard.press('F9');
    await simWait({ conference: started.body.sid, labels: ['customer', 'operator'], settled: true });
    await sato.click('#info-shortcuts');
    // The list is in the page while closed: wait for the dialog to be open before Escape.
    await sato.locator('#shortcut-help').waitFor({ state: 'visible' });
    await textContains(sato.locator('#shortcut-help tr[data-action="answer"]'), 'F9');
    await sato.keyboard.press('Escape');
    await sato.locator('#shortcut-help').waitFor({ state: 'hidden' });
    await hangUp(started.body.sid);
  });

  test('the admin sets a shortcut by pressing it in its field and allows a country in 発信先の制限', async () => {
    const admin = await newPage(browser);
    await signIn(admin, console_.url, 'admin-watanabe', '/admin');
    const keys = admin.locator('#section-shortcuts');
    await keys.locator('#shortcut-mute').click();
    await admin.keyboard.press('Control+Alt+K');
    assert.equal(await admin.inputValue('#shortcut-mute'), 'Ctrl+Alt+K');
    await admin.click('#save-shortcuts');
    await textContains(admin.locator('#message-shortcuts'), '保存しました');
    await admin.fill('#dialing-countries', 'JP, US');
    await admin.click('#save-dialing');
    await textContains(admin.locator('#message-dialing'), '保存しました');
    await admin.fill('#dialing-countries', 'JP, XX');
    await admin.click('#save-dialing');
    await textContains(admin.locator('#message-dialing'), '「XX」は国コードではありません');
    await shot(admin.locator('#section-dialing'), '20-admin-dialing');
    await shot(keys, '20-admin-shortcuts');
    const saved = await api(console_.url, 'op-sato', 'GET', '/api/settings');
    assert.equal(saved.body.shortcuts.mute, 'Ctrl+Alt+K');
    assert.deepEqual(saved.body.dialing.allowed_countries, ['JP', 'US']);
    assert.deepEqual(admin.errors, []);
    await admin.close();
    // Back to the defaults for the tests that follow.
    const back = await api(console_.url, 'admin-watanabe', 'PUT', '/api/settings/shortcuts', {
      version: saved.body.versions.shortcuts,
      value: { ...saved.body.shortcuts, mute: 'Ctrl+Alt+M' },
    });
    assert.equal(back.status, 200);
    const japan = await api(console_.url, 'admin-watanabe', 'PUT', '/api/settings/dialing', {
      version: saved.body.versions.dialing,
      value: { allowed_countries: ['JP'] },
    });
    assert.equal(japan.status, 200);
  });

  test('手上げ: the operator raises a hand, the supervisor sees it on the board and listens in one click, and the hand goes down', async () => {
    const sid = await answeredCall();
    await sato.click('#hand-raise');
    await textContains(sato.locator('#hand-raise'), '手を下ろす');

    const ito = await newPage(browser);
    await ito.goto(`${console_.url}/monitor`);
    await ito.locator('button[data-user="sv-ito"]').click();
    await ito.locator('#monitor').waitFor();
    const hand = ito.locator('#mon-hand-op-sato');
    await textContains(hand, '手上げ');
    await eventually(async () => (await ito.locator('#mon-phone').getAttribute('class'))?.includes('ready'), 10_000, "the supervisor's phone");
    await shot(ito.locator('#mon-op-op-sato'), '20-hand-on-board');
    await ito.click('#mon-hand-listen-op-sato');
    await simWait({ conference: sid, labels: ['customer', 'operator', 'monitor'], settled: true });
    try {
      await hand.waitFor({ state: 'detached' });
    } catch (e) {
      const board = await api(console_.url, 'sv-ito', 'GET', '/api/monitor');
      const row = board.body.operators?.find((o) => o.id === 'op-sato');
      throw new Error(`the hand stayed on the board (the API's row: ${JSON.stringify(row?.hand_raised_at)}, monitor ${JSON.stringify(row?.call?.monitor)}): ${e.message}`);
    }
    await textContains(sato.locator('#hand-raise'), '手上げ');
    assert.equal(await sato.getAttribute('#hand-raise', 'aria-pressed'), 'false');
    await ito.close();
    await hangUp(sid);

    // Raised and lowered by the operator alone.
    await sato.click('#hand-raise');
    await textContains(sato.locator('#hand-raise'), '手を下ろす');
    await sato.click('#hand-raise');
    await textContains(sato.locator('#hand-raise'), '手上げ');
    const me = await api(console_.url, 'op-sato', 'GET', '/api/operators/me');
    assert.equal(me.body.hand_raised_at, undefined);
  });

  test("click-to-dial: the record's phone field and a history row dial the number on the chosen line", async () => {
    await setStatus(sato, 'away');
    await eventually(async () => (await api(console_.url, 'op-sato', 'GET', '/api/operators/me')).body.status === 'away', 8000, 'Sato away on the server');
    await sato.fill('#customer-phone', YAMADA);
    await sato.keyboard.press('Enter');
    await textContains(sato.locator('#customer-account'), '山田商事株式会社');
    // The account opens in the detail view: its phone field dials.
    await sato.click('#customer-account .cust-name');
    const fieldDial = sato.locator('#region-search [data-field="phone"] .dial-link');
    await fieldDial.waitFor();
    await textContains(fieldDial, YAMADA);
    await shot(sato.locator('#region-search'), '20-click-to-dial-field');
    await fieldDial.click();
    const call = await eventually(async () => (await callsTo(YAMADA_E164)).find((c) => c.status !== 'completed'), 8000, 'the call to Yamada');
    await sim('POST', `/sim/calls/${call.sid}/answer`, {});
    await simWait({ conference: call.sid, labels: ['customer', 'operator'], settled: true });
    await textContains(sato.locator('#call-badge'), '通話中');
    await hangUp(call.sid);

    const rowDial = sato.locator('#region-history .dial-link').first();
    await rowDial.waitFor();
    const earlier = new Set((await callsTo(YAMADA_E164)).map((c) => c.sid));
    await rowDial.click();
    const again = await eventually(
      async () => (await callsTo(YAMADA_E164)).find((c) => !earlier.has(c.sid) && c.status !== 'completed'),
      8000,
      'a second call to Yamada from the history row',
    );
    await shot(sato.locator('#region-history'), '20-click-to-dial-history');
    await sim('POST', `/sim/calls/${again.sid}/answer`, {});
    await simWait({ conference: again.sid, labels: ['customer', 'operator'], settled: true });
    await hangUp(again.sid);
  });

  test('click-to-dial from データ検索: a hit shows its number and dials it, and so does a call shown in the detail', async () => {
    await setStatus(sato, 'away');
    await sato.click('#customer-clear');
    await sato.selectOption('#search-object', 'account');
    await sato.fill('#search-query', 'ヤマダ');
    await sato.click('#search-run');
    const hit = sato.locator('#search-results .hit-row', { hasText: '山田商事株式会社' });
    await hit.waitFor();
    const hitDial = hit.locator('.dial-link');
    await textContains(hitDial, YAMADA);
    await shot(sato.locator('#region-search'), '20-click-to-dial-search-hit');
    const earlier = new Set((await callsTo(YAMADA_E164)).map((c) => c.sid));
    await hitDial.click();
    const call = await eventually(
      async () => (await callsTo(YAMADA_E164)).find((c) => !earlier.has(c.sid) && c.status !== 'completed'),
      8000,
      'the call to Yamada from the search hit',
    );
    await textContains(sato.locator('#customer-account'), '山田商事株式会社');
    await sim('POST', `/sim/calls/${call.sid}/answer`, {});
    await simWait({ conference: call.sid, labels: ['customer', 'operator'], settled: true });
    await textContains(sato.locator('#call-badge'), '通話中');
    await hangUp(call.sid);

    // A call of the history opens in the detail: its customer's number dials.
    await sato.click('#history-tab-calls');
    await sato.locator('#region-history tbody tr.clickable').first().click();
    const callDial = sato.locator('#detail-call-dial');
    await textContains(callDial, YAMADA);
    await shot(sato.locator('#region-search'), '20-click-to-dial-search-call');
    const before = new Set((await callsTo(YAMADA_E164)).map((c) => c.sid));
    await callDial.click();
    const again = await eventually(
      async () => (await callsTo(YAMADA_E164)).find((c) => !before.has(c.sid) && c.status !== 'completed'),
      8000,
      'a call to Yamada from the call shown in the detail',
    );
    await sim('POST', `/sim/calls/${again.sid}/answer`, {});
    await simWait({ conference: again.sid, labels: ['customer', 'operator'], settled: true });
    await hangUp(again.sid);
  });

  test('the pre-call check hears the microphone on a level meter and times the network', async () => {
    const withMic = await chromium.launch({
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'],
    });
    try {
      const page = await newPage(withMic);
      await signIn(page, console_.url, 'op-tanaka');
      await page.locator('#call-status.call-idle').waitFor();
      await textContains(page.locator('#info-precheck'), '通話前チェック未実施');
      await page.click('#info-precheck');
      await page.click('#precheck-start');
      await eventually(async () => Number(await page.getAttribute('#precheck-level', 'aria-valuenow')) > 30, 5000, 'the level meter to show the voice');
      await shot(page.locator('#precheck-dialog'), '20-precheck-level');
      await textContains(page.locator('#precheck-mic'), '音声を検出しました', 10_000);
      await textContains(page.locator('#precheck-network'), '良好');
      await shot(page.locator('#precheck-dialog'), '20-precheck-done');
      await page.keyboard.press('Escape');
      await textContains(page.locator('#info-precheck'), '通話前チェック済み');
      assert.deepEqual(page.errors, []);
    } finally {
      await withMic.close();
    }
  });

  test('the pages showed no script errors', () => {
    assert.deepEqual(sato.errors, []);
  });
});
