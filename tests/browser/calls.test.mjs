// The call features walked in Chromium against the local runtime's Twilio simulator: a customer
// calls in and pops up, the operator answers, holds, calls a third party and comes back, writes
// the memo, hangs up; dials a typed number (refused while 受付可); hands a call to a second
// operator with the screen. Every step goes through the real functions and the simulated
// network; the tests wait on the page or on the simulator's /sim/wait, never on the clock.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, eventually, launchBrowser, newPage, regionBoxes, setStatus, shot, signIn, simRequest, simUntil, startConsole, textContains } from './harness.mjs';

const YAMADA = '03-1234-5678';
const YAMADA_E164 = '+81312345678';

describe('calls on the operator screen', { timeout: 240_000 }, () => {
  let console_;
  let browser;
  let sato;
  let tanakaPage;

  /** The simulator's own API (no sign-in). */
  const sim = (method, path, body) => simRequest(console_.url, method, path, body);

  /** Waits until the simulator's state matches; fails with the state otherwise. */
  const simWait = (condition) => simUntil(console_.url, condition);

  /** A simulated call of the phone network to `number` (E.164), once placed. */
  async function callTo(number) {
    return eventually(async () => {
      const { body } = await sim('GET', '/sim/state');
      return body.calls.find((c) => c.to === number && c.direction === 'outbound-api' && c.status !== 'completed');
    }, 10_000, `a call to ${number}`);
  }

  /** Signs `user` in on a fresh page (own storage) with the phone registered. */
  async function operatorPage(user) {
    const page = await newPage(browser);
    await signIn(page, console_.url, user);
    await page.locator('#call-status.call-idle').waitFor();
    return page;
  }

  /** Waits until the page has no call; fails with what the page says otherwise. */
  async function idle(page) {
    try {
      await page.locator('#call-status.call-idle').waitFor();
    } catch (e) {
      const said = await page.evaluate(() =>
        ['#call-badge', '#call-text', '#ops-message', '#transfer-error', '#consult-error']
          .map((s) => `${s}: ${document.querySelector(s)?.textContent ?? ''}`)
          .join(' | '),
      );
      throw new Error(`the call did not end on the page (${said}): ${e.message}`);
    }
  }


  async function assertNoProblems() {
    const { body } = await sim('GET', '/sim/problems');
    assert.deepEqual(body, [], 'the functions broke none of Twilio’s rules');
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

  test('a call started from the simulator panel rings with the customer popped up; answered, the timer runs', async () => {
    const before = await regionBoxes(sato);
    await setStatus(sato, 'available');
    await textContains(sato.locator('#call-text'), '受付可');
    await sato.click('#sim-toggle');
    await sato.fill('#sim-from', YAMADA);
    await shot(sato.locator('#sim-panel'), '8-simulator-panel');
    await sato.click('#sim-call');

    const dialog = sato.locator('#incoming-dialog');
    await dialog.waitFor();
    await textContains(sato.locator('#incoming-number'), YAMADA);
    await textContains(sato.locator('#incoming-match'), '山田商事株式会社');
    await textContains(sato.locator('#incoming-match'), '山田 太郎');
    // The screen pop is behind the dialog already.
    await textContains(sato.locator('#customer-account'), '山田商事株式会社');
    assert.equal(await sato.inputValue('#customer-phone'), YAMADA);
    await textContains(sato.locator('#call-badge'), '着信中');
    assert.equal(await sato.evaluate(() => document.activeElement?.id), 'incoming-accept', 'Enter answers');
    await shot(sato, '8-call-incoming');

    const ring = await simWait({ phone: 'op_sato' });
    const sid = ring.ringing.params.callSid;
    await sato.keyboard.press('Enter');
    await simWait({ conference: sid, labels: ['customer', 'operator'] });
    await sato.click('#sim-toggle');
    await textContains(sato.locator('#call-badge'), '通話中');
    await textContains(sato.locator('#call-text'), '山田 太郎（03-1234-5678）');
    await eventually(async () => (await sato.inputValue('#info-status')) === 'on_call', 8000, 'the status 通話中');
    const first = await sato.locator('#call-timer').textContent();
    await eventually(async () => (await sato.locator('#call-timer').textContent()) !== first, 3000, 'the timer to run');
    assert.deepEqual(await regionBoxes(sato), before, 'a call coming in moved no region');

    // The keypad sends touch tones on the operator's leg.
    await sato.click('#call-keypad');
    await sato.click('#keypad button[data-key="1"]');
    await sato.keyboard.press('#');
    await textContains(sato.locator('#keypad'), '送信: 1#');
    await eventually(async () => {
      const { body } = await sim('GET', '/sim/state');
      return body.calls.some((c) => c.party.kind === 'client' && c.party.address === 'op_sato' && c.digits === '1#');
    }, 5000, 'the digits on the operator leg');
    await shot(sato.locator('#region-ops'), '8-call-keypad');
    await sato.keyboard.press('Escape');
    assert.equal(await sato.locator('#keypad').count(), 0);

    // The main line is recorded: the operator can pause the recording and resume it.
    const recordingButton = sato.locator('#call-recording');
    await textContains(recordingButton, '録音中');
    await recordingButton.click();
    await textContains(recordingButton, '録音停止中');
    const { body: paused } = await api(console_.url, 'op-sato', 'GET', `/api/calls/${sid}`);
    assert.equal(paused.call.recording_paused, true);
    await recordingButton.click();
    await textContains(recordingButton, '録音中');
    await shot(sato.locator('#region-ops'), '8-call-connected-menu');
    await shot(sato, '8-call-connected');
  });

  test('hold opens the consultation dialog; a third party found by search is called, answers, is hung up, and the customer is still held', async () => {
    const { body: current } = await api(console_.url, 'op-sato', 'GET', '/api/calls/current');
    const sid = current.call.sid;
    await sato.click('#op-hold');
    await simWait({ call: sid, held: true });
    await textContains(sato.locator('#op-hold'), '保留解除');
    assert.equal(await sato.getAttribute('#op-hold', 'aria-pressed'), 'true');
    await textContains(sato.locator('#call-badge'), '保留中');
    const dialog = sato.locator('#consult-dialog');
    await dialog.waitFor();

    // A customer found by search fills the number in.
    await sato.selectOption('#consult-object', 'contact');
    await sato.fill('#consult-query', 'スズキ');
    await sato.click('#consult-search-run');
    await sato.locator('#consult-hits button').first().click();
    const number = await eventually(async () => (await sato.inputValue('#consult-number')) || null, 5000, 'the number to be filled');
    assert.match(number, /^0\d{1,4}-\d{1,4}-\d{4}$/);
    const { body: e164 } = await api(console_.url, 'op-sato', 'GET', `/api/crm/lookup?phone=${encodeURIComponent(number)}`);
    assert.equal((await sim('PUT', `/sim/numbers/${encodeURIComponent(e164.phone)}`, { answer: 'manual' })).status, 204);

    await sato.click('#consult-dial');
    await textContains(sato.locator('#consult-state'), '呼び出しています');
    const consult = await callTo(e164.phone);
    assert.equal(consult.from, '+81368000001', 'the consultation uses the chosen line as caller ID');
    assert.equal((await sim('POST', `/sim/calls/${consult.sid}/answer`)).status, 204);
    await simWait({ conference: sid, labels: ['customer', 'operator', 'consult'] });
    await textContains(sato.locator('#consult-state'), '相談先と通話中');
    await shot(sato, '8-call-consult');

    await sato.click('#consult-hangup');
    await simWait({ conference: sid, labels: ['customer', 'operator'], without_labels: ['consult'], settled: true });
    await simWait({ call: sid, held: true });
    await textContains(sato.locator('#consult-state'), '相談先への発信はありません');
    await textContains(sato.locator('#call-badge'), '保留中');
    const { body: live } = await api(console_.url, 'op-sato', 'GET', `/api/calls/${sid}`);
    assert.equal(live.customer_held, true, 'the customer is still held after the consultation');

    await sato.click('#op-hold');
    await simWait({ call: sid, held: false, settled: true });
    await textContains(sato.locator('#call-badge'), '通話中');
    assert.ok(!(await dialog.isVisible()), 'the dialog closes with the hold');
  });

  test('the memo typed with Ctrl+Z / Ctrl+X and a response status is saved, and after hang-up it is in the history', async () => {
    const { body: current } = await api(console_.url, 'op-sato', 'GET', '/api/calls/current');
    const sid = current.call.sid;
    const memo = sato.locator('#memo-text');
    await memo.click();
    await sato.keyboard.press('Control+z');
    await sato.keyboard.type('お電話ありがとうございます');
    await sato.keyboard.press('Enter');
    await sato.keyboard.press('Control+x');
    await sato.keyboard.type('請求書の再発行をお願いしたい');
    await sato.selectOption('#memo-status', 'callback');
    const text = '【オペレータ】お電話ありがとうございます\n【お客様】請求書の再発行をお願いしたい';
    assert.equal(await memo.inputValue(), text);
    await textContains(sato.locator('.save-indicator'), '保存済み');
    const { body: saved } = await api(console_.url, 'op-sato', 'GET', `/api/memos/${sid}`);
    assert.equal(saved.text, text);
    assert.equal(saved.response_status, 'callback');
    await shot(sato.locator('#region-customer'), '8-call-memo');

    await sato.click('#op-hangUp');
    await simWait({ call: sid, status: 'completed', settled: true });
    await idle(sato);
    await textContains(sato.locator('#ops-message'), '通話が終了しました');
    assert.equal(await sato.locator('#call-timer').textContent(), '--:--');
    const row = sato.locator('#history-panel tbody tr').first();
    await textContains(row, '折り返し必要');
    await textContains(row, '【オペレータ】お電話ありがとうございます');
    const { body: history } = await api(console_.url, 'op-sato', 'GET', `/api/history/calls?phone=${encodeURIComponent(YAMADA)}`);
    const stored = history.items.find((c) => c.sid === sid);
    assert.equal(stored.memo, text);
    assert.equal(stored.response_status, 'callback');
    assert.equal(stored.status, 'completed');
    await shot(sato.locator('#region-history'), '8-call-history');
    await assertNoProblems();
  });

  test('a typed number is looked up, cleared, typed again and dialled on the chosen line; while 受付可 the dial is refused', async () => {
    await sato.fill('#customer-phone', '０３（１２３４）５６７８');
    await sato.click('#customer-lookup');
    await textContains(sato.locator('#customer-account'), '山田商事株式会社');
    await sato.click('#customer-clear');
    assert.equal(await sato.inputValue('#customer-phone'), '');
    await eventually(async () => !(await sato.locator('#customer-account').textContent()).includes('山田商事'), 3000, 'the account to go');

    await sato.fill('#customer-phone', '0312345678');
    await sato.click('#customer-lookup');
    await textContains(sato.locator('#customer-account'), '山田商事株式会社');
    await sato.selectOption('#info-line', 'sales');

    // 受付可 refuses dialing before any leg is placed, and says why.
    await setStatus(sato, 'available');
    await eventually(() => sato.locator('#op-dialAnswer').isDisabled(), 5000, '発信応答 to be disabled in 受付可');
    await textContains(sato.locator('#op-dialAnswer-why'), '受付可の状態では発信できません');
    await idle(sato);
    await shot(sato.locator('#region-ops'), '8-dial-refused');

    await setStatus(sato, 'away');
    assert.equal((await sim('PUT', `/sim/numbers/${YAMADA_E164}`, { answer: 'manual' })).status, 204);
    await sato.click('#op-dialAnswer');
    await textContains(sato.locator('#call-badge'), '発信中');
    const placed = await callTo(YAMADA_E164);
    assert.equal(placed.from, '+815030001234', 'the chosen line (営業部) is the caller ID');
    // The far end answers from the simulator panel.
    await sato.click('#sim-toggle');
    const answer = sato.locator(`#sim-calls li[data-sid="${placed.sid}"] button`, { hasText: '応答' });
    await answer.click();
    await simWait({ conference: placed.sid, labels: ['customer', 'operator'] });
    await textContains(sato.locator('#call-badge'), '通話中');
    await textContains(sato.locator('#call-text'), '山田 太郎');
    await shot(sato, '8-dial-connected');
    await sato.click('#sim-toggle');

    await sato.click('#op-hangUp');
    await simWait({ call: placed.sid, status: 'completed', settled: true });
    await idle(sato);
    const { body: history } = await api(console_.url, 'op-sato', 'GET', `/api/history/calls?phone=${YAMADA_E164}`);
    const stored = history.items.find((c) => c.sid === placed.sid);
    assert.equal(stored.direction, 'outbound');
    assert.equal(stored.line, '+815030001234');
    await sato.selectOption('#info-line', 'main');
    await assertNoProblems();
  });

  test('a call list: a target clicked shows its number and customer on the list’s line; dialled and answered, its result is recorded', async () => {
    await setStatus(sato, 'away');
    await sato.click('#op-callList');
    const dialog = sato.locator('#calllist-dialog');
    await dialog.waitFor();
    const list = sato.locator('#calllist-dialog .calllist-list', { hasText: '春の更新キャンペーン' });
    await textContains(list, '未架電');
    const listId = await list.getAttribute('data-list');
    await shot(dialog, '8-calllist-lists');
    await list.click();
    const row = sato.locator('#calllist-targets tbody tr').first();
    await row.waitFor();
    const targetId = await row.getAttribute('data-target');
    const name = (await row.locator('.rec-title').textContent()).trim();
    await shot(dialog, '8-calllist-targets');
    await row.click();
    await dialog.waitFor({ state: 'hidden' });
    await textContains(sato.locator('#call-badge'), '架電リスト');
    await textContains(sato.locator('#call-text'), name);
    assert.equal(await sato.inputValue('#info-line'), 'sales', 'the list’s line is chosen');
    const { body: detail } = await api(console_.url, 'op-sato', 'GET', `/api/call-lists/${listId}/targets/${targetId}`);
    assert.equal(detail.target.lease.operator_id, 'op-sato', 'the target is leased to Sato');
    const e164 = detail.target.phone;
    await eventually(async () => (await sato.inputValue('#customer-phone')).replace(/\D/g, '') === `0${e164.slice(3)}`, 5000, 'the number in Customer info');

    assert.equal((await sim('PUT', `/sim/numbers/${encodeURIComponent(e164)}`, { answer: 'manual' })).status, 204);
    await sato.click('#op-dialAnswer');
    const placed = await callTo(e164);
    assert.equal(placed.from, '+815030001234');
    assert.equal((await sim('POST', `/sim/calls/${placed.sid}/answer`)).status, 204);
    await textContains(sato.locator('#call-badge'), '通話中');
    await sato.locator('#memo-text').click();
    await sato.keyboard.press('Control+x');
    await sato.keyboard.type('更新の案内資料を希望');
    await sato.selectOption('#memo-status', 'resolved');
    await textContains(sato.locator('.save-indicator'), '保存済み');
    await sato.click('#op-hangUp');
    await simWait({ call: placed.sid, status: 'completed', settled: true });

    // The call ended: the result form opens with the call's outcome, status and memo.
    await dialog.waitFor();
    const result = sato.locator('#calllist-result');
    await result.waitFor();
    assert.ok(await sato.locator('#calllist-outcome-done').isChecked(), 'an answered call is 完了 by default');
    assert.equal(await sato.inputValue('#calllist-status'), 'resolved');
    assert.equal(await sato.inputValue('#calllist-memo'), '【お客様】更新の案内資料を希望');
    await shot(dialog, '8-calllist-result');
    await sato.click('#calllist-record');
    await dialog.waitFor({ state: 'hidden' });
    await textContains(sato.locator('#ops-message'), '架電結果を記録しました');
    const { body: after } = await api(console_.url, 'op-sato', 'GET', `/api/call-lists/${listId}/targets/${targetId}`);
    assert.equal(after.target.state, 'done');
    assert.equal(after.results[0].call_sid, placed.sid);
    assert.equal(after.results[0].response_status, 'resolved');
    await idle(sato);
    await sato.selectOption('#info-line', 'main');
    await assertNoProblems();
  });

  test('after a reload the call goes on on the page; when the operator’s phone dropped out, 再接続 rings it back in', async () => {
    await setStatus(sato, 'available');
    const started = await sim('POST', '/sim/calls', { from: YAMADA });
    const sid = started.body.sid;
    await sato.locator('#incoming-dialog').waitFor();
    await sato.click('#incoming-accept');
    await simWait({ conference: sid, labels: ['customer', 'operator'] });
    await sato.locator('#memo-text').click();
    await sato.keyboard.type('再読み込み前のメモ');
    await textContains(sato.locator('.save-indicator'), '保存済み');

    await sato.reload();
    await sato.locator('#operator').waitFor();
    await textContains(sato.locator('#call-badge'), '通話中');
    await textContains(sato.locator('#ops-message'), '通話が続いています');
    assert.equal(await sato.inputValue('#memo-text'), '再読み込み前のメモ');
    await textContains(sato.locator('#customer-account'), '山田商事株式会社');

    // The operator's leg drops (a lost connection): the call goes on and can be rejoined.
    const { body: state } = await sim('GET', '/sim/state');
    const leg = state.calls.find((c) => c.party.kind === 'client' && c.party.address === 'op_sato' && c.status === 'in-progress');
    assert.equal((await sim('POST', `/sim/calls/${leg.sid}/hangup`)).status, 204);
    const rejoin = sato.locator('#call-rejoin');
    await rejoin.waitFor();
    await shot(sato.locator('#region-ops'), '8-call-rejoin');
    await rejoin.click();
    await simWait({ conference: sid, labels: ['customer', 'operator'] });
    await textContains(sato.locator('#ops-message'), '通話に戻りました');
    await rejoin.waitFor({ state: 'detached' });
    await sato.locator('#call-mute').waitFor();

    await sato.click('#op-hangUp');
    await simWait({ call: sid, status: 'completed', settled: true });
    await idle(sato);
    await assertNoProblems();
  });

  test('a warm transfer with the screen hands the customer, memo and draft inquiry to a second operator', async () => {
    await setStatus(sato, 'available');
    const started = await sim('POST', '/sim/calls', { from: YAMADA });
    const sid = started.body.sid;
    await sato.locator('#incoming-dialog').waitFor();
    await sato.click('#incoming-accept');
    await simWait({ conference: sid, labels: ['customer', 'operator'] });
    await textContains(sato.locator('#call-badge'), '通話中');

    // Tanaka signs in after Sato took the call, and can take one (受付可).
    const tanaka = await operatorPage('op-tanaka');
    await setStatus(tanaka, 'available');

    await sato.locator('#memo-text').click();
    await sato.keyboard.press('Control+x');
    await sato.keyboard.type('契約内容の変更について詳しい者と話したい');
    await sato.selectOption('#memo-status', 'escalated');
    await sato.fill('#entry-subject', '契約プラン変更の相談');
    await textContains(sato.locator('.save-indicator'), '保存済み');

    await sato.click('#op-transfer');
    const dialog = sato.locator('#transfer-dialog');
    await dialog.waitFor();
    const target = sato.locator('#transfer-operators li[data-operator="op-tanaka"] button.transfer-screen');
    await target.waitFor();
    assert.ok(await sato.locator('#transfer-operators button.transfer-to[data-operator="op-suzuki"]').isDisabled(), 'a signed-out operator cannot be chosen');
    await textContains(sato.locator('#transfer-operators li[data-operator="op-suzuki"]'), 'オフライン');
    await shot(dialog, '8-transfer-dialog');
    // 画面転送: a warm transfer that sends the screen too.
    await target.click();
    await simWait({ call: sid, held: true });
    await textContains(sato.locator('#call-badge'), '転送中');

    // Tanaka's phone rings with the handoff; answered, the screen fills in.
    const ring = tanaka.locator('#incoming-dialog');
    await ring.waitFor();
    await textContains(tanaka.locator('#incoming-transfer'), '佐藤 花子 さんからのウォーム転送');
    await textContains(tanaka.locator('#incoming-transfer'), '画面転送あり');
    await textContains(tanaka.locator('#incoming-match'), '山田商事株式会社');
    await shot(tanaka, '8-transfer-ringing');
    await tanaka.click('#incoming-accept');
    await simWait({ conference: sid, labels: ['customer', 'operator', 'transfer'] });
    await textContains(tanaka.locator('#call-badge'), '引継ぎ中');
    await eventually(async () => (await tanaka.inputValue('#entry-subject')) === '契約プラン変更の相談', 5000, 'the draft inquiry');
    assert.equal(await tanaka.inputValue('#memo-text'), '【お客様】契約内容の変更について詳しい者と話したい');
    assert.equal(await tanaka.inputValue('#memo-status'), 'escalated');
    await textContains(tanaka.locator('#customer-account'), '山田商事株式会社');
    await textContains(tanaka.locator('#entry-link-account'), '山田商事株式会社');
    await textContains(sato.locator('#call-text'), '田中 健太 さんと通話中（転送先）');
    await textContains(sato.locator('#ops-message'), '田中 健太 さんが応答しました');
    await shot(sato.locator('#region-ops'), '8-transfer-answered-first');
    await shot(tanaka, '8-transfer-handover');

    // Sato hangs up: the customer stays, with Tanaka, off hold.
    await sato.click('#op-hangUp');
    await simWait({ conference: sid, labels: ['customer', 'transfer'], without_labels: ['operator'], settled: true });
    await simWait({ call: sid, held: false, status: 'in-progress' });
    const { body: live } = await api(console_.url, 'op-tanaka', 'GET', `/api/calls/${sid}`);
    assert.equal(live.call.operator_id, 'op-tanaka');
    assert.equal(live.customer_held, false);
    await idle(sato);
    await textContains(sato.locator('#ops-message'), '田中 健太 さんへ転送しました');
    assert.equal(await sato.inputValue('#entry-subject'), '', 'the draft went with the call');
    await textContains(tanaka.locator('#call-badge'), '通話中');
    await textContains(tanaka.locator('#ops-message'), '佐藤 花子 さんから通話を引き継ぎました');

    // The memo is Tanaka's now: what they add is saved on top of Sato's.
    await tanaka.locator('#memo-text').press('End');
    await tanaka.keyboard.press('Enter');
    await tanaka.keyboard.press('Control+z');
    await tanaka.keyboard.type('担当の田中が引き継ぎ');
    await textContains(tanaka.locator('.save-indicator'), '保存済み');
    const { body: memo } = await api(console_.url, 'op-tanaka', 'GET', `/api/memos/${sid}`);
    assert.equal(memo.text, '【お客様】契約内容の変更について詳しい者と話したい\n【オペレータ】担当の田中が引き継ぎ');
    await shot(tanaka, '8-transfer-completed');

    await tanaka.click('#op-hangUp');
    await simWait({ call: sid, status: 'completed', settled: true });
    await idle(tanaka);
    await assertNoProblems();
    assert.deepEqual(tanaka.errors.map(String), []);
    tanakaPage = tanaka;
  });

  test('a blind transfer nobody answers rings the first operator back to the held customer', async () => {
    const tanaka = tanakaPage;
    await setStatus(sato, 'available');
    const started = await sim('POST', '/sim/calls', { from: YAMADA });
    const sid = started.body.sid;
    await sato.locator('#incoming-dialog').waitFor();
    await sato.click('#incoming-accept');
    await simWait({ conference: sid, labels: ['customer', 'operator'] });
    await setStatus(tanaka, 'available');

    await sato.click('#op-transfer');
    await sato.click('#transfer-more summary');
    await sato.check('#transfer-cold');
    await sato.locator('#transfer-operators button.transfer-to[data-operator="op-tanaka"]').click();
    // Sato leaves at once; the customer waits on hold while Tanaka's phone rings.
    await idle(sato);
    await textContains(sato.locator('#ops-message'), '田中 健太 さんへ転送しました');
    await tanaka.locator('#incoming-dialog').waitFor();
    await textContains(tanaka.locator('#incoming-transfer'), 'ブラインド転送');
    await simWait({ call: sid, held: true });
    await tanaka.click('#incoming-reject');

    // Sato's phone rings back with the reason; answered, the customer is still on hold.
    await sato.locator('#incoming-dialog').waitFor();
    await textContains(sato.locator('#incoming-dialog'), '転送先が応答しなかったため');
    await shot(sato, '8-transfer-ring-back');
    await sato.click('#incoming-accept');
    await textContains(sato.locator('#call-badge'), '保留中');
    await simWait({ call: sid, held: true, conference: sid, labels: ['customer', 'operator'] });
    await sato.click('#op-hold');
    await simWait({ call: sid, held: false, settled: true });
    await textContains(sato.locator('#call-badge'), '通話中');
    await sato.click('#op-hangUp');
    await simWait({ call: sid, status: 'completed', settled: true });
    await idle(sato);
    await assertNoProblems();
    assert.deepEqual(tanaka.errors.map(String), []);
    assert.deepEqual(sato.errors.map(String), []);
    await tanaka.context().close();
  });
});
