// The supervisor's page (/monitor) in Chromium against the local runtime and its Twilio
// simulator. The operator is driven through the API with a headless simulated phone (answering,
// saving the memo as the operator page does while typing, hanging up); the supervisor works the
// page, whose own simulated phone is rung and answered automatically when they listen. What the
// supervisor asks for is checked where Twilio would see it: the conference participant in the
// simulator's state (muted, coaching, call_sid_to_coach). The tests wait on the page or on
// /sim/wait, never on the clock.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, eventually, launchBrowser, newPage, shot, simRequest, simUntil, startConsole, textContains } from './harness.mjs';

const CUSTOMER = '03-1234-5678';
const SECOND_CALLER = '06-6123-4567';

describe('the supervisor monitor page', { timeout: 240_000 }, () => {
  let console_;
  let browser;
  let sv;
  let call;
  let second;
  let memoVersion = 0;

  const sim = (method, path, body) => simRequest(console_.url, method, path, body);

  const simWait = (condition) => simUntil(console_.url, condition);

  /** A participant of the call's conference, as Twilio (the simulator) holds it. */
  async function participant(label) {
    const { body } = await sim('GET', '/sim/state');
    const conf = body.conferences.findLast((c) => c.friendly_name === call);
    assert.ok(conf, `a conference for ${call}`);
    return conf.participants.find((p) => p.label === label && p.status === 'connected');
  }

  async function signInAt(page, user, path) {
    await page.goto(`${console_.url}${path}`);
    await page.locator(`button[data-user="${user}"]`).click();
    await page.locator('#monitor, #monitor-refused').first().waitFor();
  }

  /** Saves the memo as the operator's page does while they type (every pause in typing). */
  async function operatorTypes(text, responseStatus) {
    const body = { version: memoVersion, text };
    if (responseStatus) body.response_status = responseStatus;
    const r = await api(console_.url, 'op-sato', 'PUT', `/api/memos/${call}`, body);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    memoVersion = r.body.version;
    return Date.now();
  }

  const card = () => sv.locator('#mon-op-op-sato');
  const boxes = (selector) =>
    sv.evaluate((sel) => [...document.querySelectorAll(sel)].map((e) => {
      const b = e.getBoundingClientRect();
      return [e.id || e.classList[0], Math.round(b.x), Math.round(b.y), Math.round(b.width), Math.round(b.height)].join(',');
    }), selector);

  before(async () => {
    console_ = await startConsole();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await console_?.stop();
  });

  test('an operator who opens /monitor is told it is for supervisors', async () => {
    const page = await newPage(browser);
    await signInAt(page, 'op-sato', '/monitor');
    await textContains(page.locator('#monitor-refused'), 'このページはスーパーバイザーと管理者のみ利用できます');
    await textContains(page.locator('#monitor-refused'), '佐藤 花子 さんはオペレータとしてサインインしています');
    await page.context().close();
  });

  test('the supervisor sees the memo appear within two seconds while the operator types it, and the board does not move', async () => {
    sv = await newPage(browser);
    await signInAt(sv, 'sv-ito', '/monitor');
    await textContains(sv.locator('#mon-phone'), '電話 待受中');
    await textContains(card(), 'オフライン');
    const idle = await boxes('.mon-card');

    // The operator signs in with a phone and takes a customer's call.
    assert.equal((await sim('POST', '/sim/phones/op_sato')).status, 201);
    const s = await api(console_.url, 'op-sato', 'PUT', '/api/operators/me/status', { status: 'available' });
    assert.equal(s.status, 200, JSON.stringify(s.body));
    await textContains(card(), '受付可');
    call = (await sim('POST', '/sim/calls', { from: CUSTOMER })).body.sid;
    await simWait({ phone: 'op_sato' });
    assert.equal((await sim('POST', '/sim/phones/op_sato/accept')).status, 200);
    await simWait({ conference: call, labels: ['customer', 'operator'], settled: true });
    await textContains(card(), '通話中');
    await textContains(card(), CUSTOMER);
    await textContains(card(), '（会話メモはまだありません）');
    // The customer's account, read from the CRM once.
    await textContains(card(), '山田商事');
    assert.deepEqual(await boxes('.mon-card'), idle, 'no card moved or changed size when the call arrived');
    const emptyMemo = await boxes('.mon-memo-text');

    const typed = [
      ['【お客様】住所', null],
      ['【お客様】住所変更の依頼\n【オペレータ】ご登録の住所を確認します', null],
      ['【お客様】住所変更の依頼\n【オペレータ】ご登録の住所を確認します\n【お客様】新住所は大阪市北区…', 'resolved'],
    ];
    const delays = [];
    for (const [text, status] of typed) {
      const saved = await operatorTypes(text, status);
      const lastLine = text.split('\n').at(-1);
      await eventually(async () => ((await card().locator('.mon-memo-text').textContent()) ?? '').includes(lastLine), 5000, `the memo "${lastLine}"`);
      delays.push(Date.now() - saved);
    }
    console.log(`memo on the board after ${delays.join(' ms, ')} ms`);
    for (const d of delays) assert.ok(d <= 2500, `the memo showed ${d} ms after it was saved (at most ~2 s)`);
    await textContains(card().locator('.mon-rs'), '対応完了');
    // The talk time runs from the server's answer time.
    const talk = await card().locator('.mon-duration').textContent();
    assert.match(talk, /^\d\d:\d\d$/);

    assert.deepEqual(await boxes('.mon-card'), idle, 'no card moved or changed size while the memo grew');
    assert.deepEqual(await boxes('.mon-memo-text'), emptyMemo, 'the memo box kept its size');
    const { scrollWidth, scrollHeight } = await sv.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      scrollHeight: document.documentElement.scrollHeight,
    }));
    assert.ok(scrollWidth <= 1366 && scrollHeight <= 768, `fits 1366×768 (${scrollWidth}×${scrollHeight})`);
    assert.deepEqual(sv.errors, []);
    await shot(sv, 'monitor-memo-live');
  });

  test('listen, whisper and barge are the conference participant updates Twilio expects; leaving takes the supervisor out', async () => {
    // Listen, from the keyboard: Tab reaches the button, Enter presses it.
    await sv.locator('body').click({ position: { x: 5, y: 760 } });
    await eventually(async () => {
      await sv.keyboard.press('Tab');
      return (await sv.evaluate(() => document.activeElement?.id)) === 'mon-listen-op-sato';
    }, 10_000, 'Tab to reach 聴取');
    await sv.keyboard.press('Enter');
    await textContains(sv.locator('#mon-state-op-sato'), '聴取中（あなたの声は聞こえません）');
    await simWait({ conference: call, labels: ['customer', 'operator', 'monitor'], settled: true });
    const operator = await participant('operator');
    let monitor = await participant('monitor');
    assert.equal(monitor.muted, true, 'a listener is muted');
    assert.equal(monitor.coaching, false);
    assert.equal(await sv.getAttribute('#mon-listen-op-sato', 'aria-pressed'), 'true');
    await textContains(card().locator('.mon-badge-monitor'), 'あなたが聴取中');
    // The header says the phone is listening, not waiting.
    await textContains(sv.locator('#mon-phone'), '電話 聴取中');
    await shot(sv, 'monitor-listening');

    // A whisper Twilio refuses because the operator is held (error 16027) is explained, and the
    // supervisor keeps listening.
    await sv.route('**/api/monitor/calls/*', async (route) => {
      const req = route.request();
      if (req.method() === 'POST' && JSON.parse(req.postData() ?? '{}').mode === 'whisper') {
        await route.fulfill({
          status: 409,
          contentType: 'application/json',
          body: JSON.stringify({ error: { code: 'operator_on_hold', message: 'the operator is on hold: whispering is possible once they are back' } }),
        });
      } else {
        await route.continue();
      }
    });
    await sv.click('#mon-whisper-op-sato');
    await textContains(sv.locator('#mon-state-op-sato'), 'オペレータが保留中のため、ささやきはできません');
    await shot(card(), 'monitor-whisper-refused');
    await sv.unroute('**/api/monitor/calls/*');
    assert.equal(await sv.getAttribute('#mon-listen-op-sato', 'aria-pressed'), 'true', 'still listening');
    assert.equal((await participant('monitor')).muted, true, 'nothing changed at Twilio');

    // Whisper: unmuted, coaching the operator's leg.
    await sv.click('#mon-whisper-op-sato');
    await textContains(sv.locator('#mon-state-op-sato'), 'ささやき中（オペレータにだけ聞こえます）');
    monitor = await participant('monitor');
    assert.equal(monitor.muted, false);
    assert.equal(monitor.coaching, true);
    assert.equal(monitor.call_sid_to_coach, operator.call_sid, 'coaches the operator, not the customer');

    // A second caller waits meanwhile (nobody else is available).
    second = (await sim('POST', '/sim/calls', { from: SECOND_CALLER })).body.sid;
    await textContains(sv.locator('#mon-queue-count'), '1件');
    await textContains(sv.locator('#mon-queue'), SECOND_CALLER);

    // Barge: an ordinary participant, neither muted nor coaching.
    await sv.click('#mon-barge-op-sato');
    await textContains(sv.locator('#mon-state-op-sato'), '参加中（全員に聞こえます）');
    monitor = await participant('monitor');
    assert.equal(monitor.muted, false);
    assert.equal(monitor.coaching, false);
    await textContains(card().locator('.mon-badge-monitor'), 'あなたが参加中');
    // The longest wait counts up while the caller waits.
    const first = await sv.locator('#mon-longest-wait').textContent();
    await eventually(async () => (await sv.locator('#mon-longest-wait').textContent()) !== first, 5000, 'the longest wait to count up');
    await shot(sv, 'monitor-barge-and-queue');

    // An admin on the same page sees the call taken and is refused a second monitor.
    const admin = await newPage(browser);
    await signInAt(admin, 'admin-watanabe', '/monitor');
    await textContains(admin.locator('#mon-phone'), '電話 待受中');
    await textContains(admin.locator('#mon-state-op-sato'), '他のスーパーバイザーが参加しています');
    await admin.click('#mon-listen-op-sato');
    await textContains(admin.locator('#mon-state-op-sato'), '他のスーパーバイザーがこの通話をモニタリングしています');
    assert.equal((await participant('monitor')).muted, false, 'the supervisor barging in is left as they were');
    assert.deepEqual(admin.errors, []);
    await admin.context().close();

    await sv.click('#mon-leave-op-sato');
    await simWait({ conference: call, labels: ['customer', 'operator'], without_labels: ['monitor'], settled: true });
    await textContains(sv.locator('#mon-state-op-sato'), 'モニタリングを終了しました');
    assert.equal(await sv.locator('#mon-leave-op-sato').isDisabled(), true);
    await eventually(async () => (await card().locator('.mon-badge-monitor').count()) === 0, 5000, 'the board to show nobody monitoring');
    const problems = await sim('GET', '/sim/problems');
    assert.deepEqual(problems.body, [], 'every request to Twilio followed its rules');
    assert.deepEqual(sv.errors, []);
  });

  test("today's figures count the answered and the abandoned call, hour by hour", async () => {
    assert.equal((await sim('POST', `/sim/calls/${second}/hangup`)).status, 204);
    await textContains(sv.locator('#mon-queue'), '待っているお客様はいません');
    const r = await api(console_.url, 'op-sato', 'POST', `/api/calls/${call}/hangup`);
    assert.equal(r.status, 204, JSON.stringify(r.body));
    await simWait({ call, status: 'completed', settled: true });
    await textContains(sv.locator('#mon-today-inbound'), '2件');
    await textContains(sv.locator('#mon-today-answered'), '1件');
    await textContains(sv.locator('#mon-today-abandoned'), '1件');
    await textContains(sv.locator('#mon-today'), '放棄率 50%');
    await textContains(card(), '通話なし');
    // This hour's bar: two calls in, one of them abandoned.
    const bars = await sv.evaluate(() => ({
      in: document.querySelectorAll('#mon-chart .mon-bar-in').length,
      ab: document.querySelectorAll('#mon-chart .mon-bar-ab').length,
      tip: [...document.querySelectorAll('#mon-chart title')].map((t) => t.textContent).find((t) => t.includes('着信 2件')),
    }));
    assert.deepEqual([bars.in, bars.ab], [1, 1]);
    assert.match(bars.tip, /着信 2件・応答 1件・放棄 1件/);
    assert.deepEqual(sv.errors, []);
    await shot(sv, 'monitor-today');
  });

  test('the supervisor releases an operator whose call ended unreported, and is refused while it is live', async () => {
    const s = await api(console_.url, 'op-sato', 'PUT', '/api/operators/me/status', { status: 'available' });
    assert.equal(s.status, 200, JSON.stringify(s.body));
    const third = (await sim('POST', '/sim/calls', { from: CUSTOMER })).body.sid;
    await simWait({ phone: 'op_sato' });
    assert.equal((await sim('POST', '/sim/phones/op_sato/accept')).status, 200);
    await simWait({ conference: third, labels: ['customer', 'operator'], settled: true });
    await textContains(card(), '通話中');

    // The call is live at Twilio: asked to confirm, then refused, and nobody is cut off.
    const confirmed = (message) =>
      new Promise((resolve) =>
        sv.once('dialog', (d) => {
          resolve(d.message());
          void d.accept();
        }),
      );
    let asked = confirmed();
    await sv.click('#mon-release-op-sato');
    assert.match(await asked, /佐藤 花子 さんを解放しますか/);
    await textContains(sv.locator('#mon-release-state-op-sato'), 'まだつながっているため解放しませんでした');
    await simWait({ conference: third, labels: ['customer', 'operator'], settled: true });
    await textContains(card(), '通話中');

    // The customer hangs up and every callback saying so is lost: the board still shows 通話中.
    assert.equal((await sim('PUT', '/sim/faults', { webhooks: [{ kind: 'drop' }] })).status, 204);
    assert.equal((await sim('POST', `/sim/calls/${third}/hangup`)).status, 204);
    await simWait({ call: third, status: 'completed', settled: true });
    assert.equal((await sim('DELETE', '/sim/faults')).status, 204);
    await textContains(card(), '通話中');

    asked = confirmed();
    await sv.click('#mon-release-op-sato');
    await asked;
    await textContains(sv.locator('#mon-release-state-op-sato'), '佐藤 花子 さんを解放しました');
    await textContains(card().locator('.mon-status'), '後処理');
    const me = await api(console_.url, 'op-sato', 'GET', '/api/operators/me');
    assert.equal(me.body.current_call, undefined, JSON.stringify(me.body));
    assert.deepEqual(sv.errors, []);
    await shot(card(), 'monitor-released');
  });
});
