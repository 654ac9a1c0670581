// Nothing typed in a memo is lost, in Chromium against the local runtime: the memo saves fail
// (Playwright answers the page's PUT /api/memos/… with 503, as a store outage would) across a
// hang-up, a reload and the next call; the page says 保存待ち and counts the earlier call's
// memo; once saves go through again, both memos are stored without anyone retyping anything
// (read back over the API). The tests wait on the page, never on the clock.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, eventually, launchBrowser, newPage, setStatus, shot, signIn, simRequest, simUntil, startConsole, textContains } from './harness.mjs';

const YAMADA = '03-1234-5678';

describe('memos kept while saves fail', { timeout: 240_000 }, () => {
  let console_;
  let browser;

  const sim = (method, path, body) => simRequest(console_.url, method, path, body);

  const simWait = (condition) => simUntil(console_.url, condition);


  /** A customer calls in and the operator answers; returns the call's sid. */
  async function answerCall(page) {
    await setStatus(page, 'available');
    const sid = (await sim('POST', '/sim/calls', { from: YAMADA })).body.sid;
    await page.locator('#incoming-dialog').waitFor();
    await simWait({ phone: 'op_sato' });
    await page.click('#incoming-accept');
    await simWait({ conference: sid, labels: ['customer', 'operator'], settled: true });
    await textContains(page.locator('#call-badge'), '通話中');
    return sid;
  }

  /**
   * Makes the page's memo saves fail with 503 while `failing` is set (reads go through). Counts
   * the saves that were refused.
   */
  async function breakMemoSaves(page) {
    const state = { failing: false, refused: 0, status: 503 };
    const bodies = {
      503: { error: { code: 'unavailable', message: 'the store is unavailable' } },
      403: { error: { code: 'forbidden', message: 'only the operator on this call or a supervisor can see or change its memo' } },
    };
    await page.route(/\/api\/memos\//, (route) => {
      if (state.failing && route.request().method() === 'PUT') {
        state.refused += 1;
        return route.fulfill({ status: state.status, contentType: 'application/json', body: JSON.stringify(bodies[state.status]) });
      }
      return route.continue();
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

  test('a memo whose saves fail is kept through the hang-up, a reload and the next call, and stored once saves go through', async () => {
    const sato = await newPage(browser);
    const saves = await breakMemoSaves(sato);
    await signIn(sato, console_.url, 'op-sato');
    await sato.locator('#call-status.call-idle').waitFor();

    const first = await answerCall(sato);
    const memo = sato.locator('#memo-text');
    await memo.click();
    await sato.keyboard.type('【お客様】住所変更のご依頼');
    await textContains(sato.locator('.save-indicator'), '保存済み');

    // The store goes down: what is typed next cannot be saved (the operator leaves the memo,
    // which saves at once, within the minute the next pause would wait for).
    saves.failing = true;
    await sato.keyboard.press('Enter');
    await sato.keyboard.type('【オペレータ】新住所は書面で確認');
    await memo.blur();
    await textContains(sato.locator('.save-indicator'), '保存待ち', 15_000);
    const firstText = await memo.inputValue();
    assert.equal(firstText, '【お客様】住所変更のご依頼\n【オペレータ】新住所は書面で確認');
    const hint = await sato.locator('.save-indicator').getAttribute('title');
    assert.match(hint, /自動で再試行します/);
    await shot(sato.locator('#memo-panel'), 'memo-pending-current');

    // The call ends while saves still fail.
    await sato.click('#op-hangUp');
    await simWait({ call: first, status: 'completed', settled: true });
    await sato.locator('#call-status.call-idle').waitFor({ timeout: 15_000 });

    // A reload keeps it: it is in this browser, not in the page.
    await sato.reload();
    await sato.locator('#call-status.call-idle').waitFor();
    await textContains(sato.locator('#pending-memos'), '前の通話 1件 保存待ち');

    // The next call: its memo starts empty and does not overwrite the earlier one.
    const second = await answerCall(sato);
    assert.notEqual(second, first);
    assert.equal(await memo.inputValue(), '');
    await textContains(sato.locator('#pending-memos'), '前の通話 1件 保存待ち');
    await memo.click();
    await sato.keyboard.type('【お客様】請求書の再発行');
    await textContains(sato.locator('.save-indicator'), '保存待ち', 15_000);
    await sato.click('#pending-memos');
    const row = sato.locator(`#pending-memos-list li[data-call="${first}"]`);
    await textContains(row, '【お客様】住所変更のご依頼');
    await textContains(row, '保存待ち（自動で再試行します）');
    await shot(sato, 'memo-pending-next-call');
    await shot(sato.locator('#region-customer'), 'memo-pending-list');
    assert.ok(saves.refused >= 3, `${saves.refused} saves refused`);
    let stored = await api(console_.url, 'op-sato', 'GET', `/api/memos/${first}`);
    assert.equal(stored.body.text, '【お客様】住所変更のご依頼', 'only what was saved before the outage is stored yet');

    // Saves go through again: both memos are stored by themselves (with back-off, so not at once).
    saves.failing = false;
    await eventually(
      async () => (await api(console_.url, 'op-sato', 'GET', `/api/memos/${first}`)).body.text === firstText,
      90_000,
      'the first call’s memo to be stored',
    );
    await textContains(sato.locator('.save-indicator'), '保存済み', 90_000);
    stored = await api(console_.url, 'op-sato', 'GET', `/api/memos/${second}`);
    assert.equal(stored.body.text, '【お客様】請求書の再発行');
    await eventually(async () => (await sato.locator('#pending-memos').count()) === 0, 10_000, 'the pending count to go');
    assert.equal(await sato.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('console.memo.pending.')).length), 0);
    await shot(sato.locator('#memo-panel'), 'memo-pending-stored');

    assert.equal((await sim('POST', `/sim/calls/${second}/hangup`)).status, 204);
    await sato.locator('#call-status.call-idle').waitFor({ timeout: 15_000 });
    assert.deepEqual(sato.errors, []);
    await sato.context().close();
  });

  test('a memo the server refuses for good is listed with the reason, and can be copied or discarded', async () => {
    const sato = await newPage(browser);
    await sato.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: console_.url });
    const saves = await breakMemoSaves(sato);
    await signIn(sato, console_.url, 'op-sato');
    await sato.locator('#call-status.call-idle').waitFor();

    const first = await answerCall(sato);
    saves.failing = true;
    saves.status = 403;
    await sato.locator('#memo-text').click();
    await sato.keyboard.type('【お客様】解約の相談');
    await textContains(sato.locator('.save-indicator'), '保存エラー', 15_000);
    await sato.click('#op-hangUp');
    await simWait({ call: first, status: 'completed', settled: true });
    await sato.locator('#call-status.call-idle').waitFor({ timeout: 15_000 });

    const second = await answerCall(sato);
    saves.failing = false;
    await textContains(sato.locator('#pending-memos'), '前の通話 1件 要確認');
    await sato.click('#pending-memos');
    const row = sato.locator(`#pending-memos-list li[data-call="${first}"]`);
    await textContains(row, '保存できません: この操作を行う権限がありません');
    await shot(sato.locator('#region-customer'), 'memo-pending-refused');

    await row.getByRole('button', { name: 'コピー' }).click();
    await textContains(sato.locator('#ops-message'), 'メモをクリップボードにコピーしました');
    assert.equal(await sato.evaluate(() => navigator.clipboard.readText()), '【お客様】解約の相談');

    sato.once('dialog', (d) => d.accept());
    await row.getByRole('button', { name: '破棄' }).click();
    await eventually(async () => (await sato.locator('#pending-memos').count()) === 0, 5000, 'the discarded memo to go');

    assert.equal((await sim('POST', `/sim/calls/${second}/hangup`)).status, 204);
    await sato.locator('#call-status.call-idle').waitFor({ timeout: 15_000 });
    assert.deepEqual(sato.errors, []);
    await sato.context().close();
  });
});
