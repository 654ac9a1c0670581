// When the memo is saved, in Chromium against the local runtime: the first pause in typing of a
// call saves at once (2.5 s), a later one waits until a minute has passed since the save before
// (the text stays on the page, the badge says 未保存 and its hint says when it is saved), and
// leaving the memo or choosing 対応ステータス saves at once. A tab navigated away with words not
// saved stores them as it goes (the save is sent with keepalive). Saves are counted as the page
// sends them; what is stored is read back over the API.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, eventually, launchBrowser, newPage, setStatus, shot, signIn, simRequest, simUntil, startConsole, textContains } from './harness.mjs';

const YAMADA = '03-1234-5678';

describe('the memo save cadence', { timeout: 180_000 }, () => {
  let console_;
  let browser;

  const sim = (method, path, body) => simRequest(console_.url, method, path, body);

  /** A customer calls in and Sato answers; returns the call's sid. */
  async function answerCall(page) {
    await setStatus(page, 'available');
    const sid = (await sim('POST', '/sim/calls', { from: YAMADA })).body.sid;
    await page.locator('#incoming-dialog').waitFor();
    await simUntil(console_.url, { phone: 'op_sato' });
    await page.click('#incoming-accept');
    await simUntil(console_.url, { conference: sid, labels: ['customer', 'operator'], settled: true });
    await textContains(page.locator('#call-badge'), '通話中');
    return sid;
  }

  /** The memo saves the page sends, as they go. */
  function countSaves(page) {
    const saves = [];
    page.on('request', (r) => {
      if (r.method() === 'PUT' && /\/api\/memos\/CA[0-9a-f]+$/.test(new URL(r.url()).pathname)) saves.push(JSON.parse(r.postData() ?? '{}'));
    });
    return saves;
  }

  const stored = async (sid) => (await api(console_.url, 'sv-ito', 'GET', `/api/memos/${sid}`)).body;

  before(async () => {
    console_ = await startConsole();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await console_?.stop();
  });

  test('the first pause saves at once, the next waits for the minute, leaving the memo or choosing a status saves at once', async () => {
    const sato = await newPage(browser);
    await signIn(sato, console_.url, 'op-sato');
    await sato.locator('#call-status.call-idle').waitFor();
    const saves = countSaves(sato);
    const sid = await answerCall(sato);
    const memo = sato.locator('#memo-text');
    const badge = sato.locator('.save-indicator');

    // The first words of the call reach the server (and the board) at the first pause.
    await memo.click();
    await sato.keyboard.type('【お客様】住所変更のご依頼');
    await textContains(badge, '未保存');
    await textContains(badge, '保存済み', 10_000);
    assert.equal(saves.length, 1);
    assert.equal((await stored(sid)).text, '【お客様】住所変更のご依頼');

    // The next pause, seconds later, does not save: the text waits on the page, and the badge
    // says when it will be saved.
    await sato.keyboard.press('Enter');
    await sato.keyboard.type('【オペレータ】新住所を書面で確認');
    await sato.waitForTimeout(6000);
    assert.equal(saves.length, 1, 'no save within the minute');
    await textContains(badge, '未保存');
    assert.match((await badge.getAttribute('title')) ?? '', /1分に1回まで/);
    assert.equal((await stored(sid)).text, '【お客様】住所変更のご依頼');
    await shot(sato.locator('#memo-panel'), 'memo-cadence-waiting');

    // Leaving the memo saves at once.
    await memo.blur();
    await textContains(badge, '保存済み', 5000);
    assert.equal(saves.length, 2);
    assert.equal((await stored(sid)).text, '【お客様】住所変更のご依頼\n【オペレータ】新住所を書面で確認');

    // So does choosing 対応ステータス, with what was typed before it.
    await memo.click();
    await memo.press('End');
    await sato.keyboard.type('。本人確認済み');
    await sato.selectOption('#memo-status', 'resolved');
    await textContains(badge, '保存済み', 5000);
    assert.equal(saves.length, 3);
    const last = await stored(sid);
    assert.equal(last.text, '【お客様】住所変更のご依頼\n【オペレータ】新住所を書面で確認。本人確認済み');
    assert.equal(last.response_status, 'resolved');

    assert.equal((await sim('POST', `/sim/calls/${sid}/hangup`)).status, 204);
    await sato.locator('#call-status.call-idle').waitFor({ timeout: 15_000 });
    assert.deepEqual(sato.errors, []);
    await sato.context().close();
  });

  test('a tab navigated away with words not saved stores them as it goes', async () => {
    const sato = await newPage(browser);
    await signIn(sato, console_.url, 'op-sato');
    await sato.locator('#call-status.call-idle').waitFor();
    const sid = await answerCall(sato);
    const memo = sato.locator('#memo-text');
    await memo.click();
    await sato.keyboard.type('【お客様】請求書の再発行');
    await textContains(sato.locator('.save-indicator'), '保存済み', 10_000);

    // Words typed within the minute, then the tab goes elsewhere before any save of them,
    await sato.keyboard.press('Enter');
    await sato.keyboard.type('【オペレータ】本日発送');
    await sato.goto('about:blank');

    // are stored, with no page of the operator's left to send them again.
    await eventually(
      async () => (await stored(sid)).text === '【お客様】請求書の再発行\n【オペレータ】本日発送',
      5000,
      'the words typed before the tab went to be stored',
    );

    assert.equal((await sim('POST', `/sim/calls/${sid}/hangup`)).status, 204);
    await simUntil(console_.url, { call: sid, status: 'completed', settled: true });
    await sato.context().close();
  });
});
