// The memo's 10,000-character limit, in Chromium against the local runtime: a counter under the
// memo shows its length; at the limit typing and pasting stop there, the reason is written under
// the memo (not only in a tooltip), a label that does not fit is not inserted, and the memo at
// the limit is saved (read back over the API) instead of turning the badge red 保存エラー.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, launchBrowser, newPage, setStatus, shot, signIn, simRequest, simUntil, startConsole, textContains } from './harness.mjs';

const LIMIT = 10_000;

describe('the memo limit', { timeout: 120_000 }, () => {
  let console_;
  let browser;

  before(async () => {
    console_ = await startConsole();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await console_?.stop();
  });

  test('a memo stops at 10,000 characters with a counter and the reason shown, and is saved', async () => {
    const sato = await newPage(browser);
    await signIn(sato, console_.url, 'op-sato');
    await sato.locator('#call-status.call-idle').waitFor();
    await setStatus(sato, 'available');
    const sid = (await simRequest(console_.url, 'POST', '/sim/calls', { from: '03-1234-5678' })).body.sid;
    await sato.locator('#incoming-dialog').waitFor();
    await simUntil(console_.url, { phone: 'op_sato' });
    await sato.click('#incoming-accept');
    await simUntil(console_.url, { conference: sid, labels: ['customer', 'operator'], settled: true });
    await textContains(sato.locator('#call-badge'), '通話中');

    const memo = sato.locator('#memo-text');
    const count = sato.locator('#memo-count');
    await textContains(count, `0 / ${LIMIT.toLocaleString('en-US')}`);

    // Given a long memo five characters short of the limit,
    const long = '【お客様】ご相談内容の記録。'.repeat(800).slice(0, LIMIT - 5);
    await memo.fill(long);
    await textContains(count, '9,995 / 10,000');
    assert.equal(await sato.locator('#memo-limit').count(), 0, 'no reason is shown below the limit');

    // when the operator types ten more characters and then commits a conversion of twenty,
    await memo.press('End');
    await sato.keyboard.type('0123456789');
    await sato.keyboard.insertText('あいうえおかきくけこさしすせそたちつてと');

    // then only five went in, the counter says the memo is full and the reason is written out.
    assert.equal(await memo.inputValue(), `${long}01234`);
    await textContains(count, '10,000 / 10,000');
    await textContains(sato.locator('#memo-limit'), '会話メモは10,000文字までです。これ以上は入力できません。');
    assert.ok(await sato.locator('#memo-limit').isVisible(), 'the reason is on screen, not in a tooltip');

    // A label does not fit: it is not inserted, and the memo is unchanged.
    await memo.press('Control+x');
    assert.equal(await memo.inputValue(), `${long}01234`);
    await shot(sato.locator('#memo-panel'), 'memo-limit-full');

    // The memo at the limit is saved: no 保存エラー, and the server has all of it.
    await memo.blur();
    await textContains(sato.locator('.save-indicator'), '保存済み', 15_000);
    const stored = await api(console_.url, 'op-sato', 'GET', `/api/memos/${sid}`);
    assert.equal(stored.status, 200);
    assert.equal([...stored.body.text].length, LIMIT);
    assert.equal(stored.body.text, `${long}01234`);

    // Shortened, the reason goes and typing works again.
    await memo.focus();
    await memo.press('End');
    await memo.press('Backspace');
    await memo.press('Backspace');
    await textContains(count, '9,998 / 10,000');
    assert.equal(await sato.locator('#memo-limit').count(), 0);
    await sato.keyboard.type('末');
    await textContains(count, '9,999 / 10,000');
  });
});
