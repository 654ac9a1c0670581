// The live transcript (リアルタイム文字起こし) in Chromium against the local runtime's Twilio
// simulator: an admin turns it on for the line 代表; a customer calls it and talks with the
// operator (the simulated caller's script), and the operator sees each phrase beside the memo as
// it is said, with who said it and when, and a supervisor sees the last lines on the operator's
// card, also when the board is opened mid-call (what was said before shows); 「メモに追加」 puts
// a phrase into the memo; after the
// call, 対応履歴 finds the call by a word said in it and its detail shows the transcript.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, eventually, launchBrowser, newPage, setStatus, shot, signIn, simRequest, simUntil, startConsole, textContains } from './harness.mjs';

const CALLER = '090-2222-3333';
const CUSTOMER_SAYS = '先月の請求書がまだ届いていないのですが。';
const OPERATOR_SAYS = 'お調べいたします。少々お待ちください。';

describe('the live transcript beside the memo', { timeout: 240_000 }, () => {
  let console_;
  let browser;
  let sato;
  let sid;

  const sim = (method, path, body) => simRequest(console_.url, method, path, body);

  before(async () => {
    console_ = await startConsole();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await console_?.stop();
  });

  test('an admin turns リアルタイム文字起こし on for a line in the line editor', async () => {
    const admin = await newPage(browser);
    await signIn(admin, console_.url, 'admin-watanabe', '/admin');
    const section = admin.locator('#section-lines');
    await section.scrollIntoViewIfNeeded();
    const box = section.locator('tbody tr').first().locator('input[type="checkbox"][title*="リアルタイム"]');
    assert.equal(await box.isChecked(), false, 'off by default');
    await box.check();
    await admin.click('#save-lines');
    const lines = await eventually(async () => {
      const { body } = await api(console_.url, 'admin-watanabe', 'GET', '/api/settings');
      return body.lines[0].transcription === true ? body.lines : null;
    }, 8000, 'the line saved with transcription on');
    assert.equal(lines[0].id, 'main');
    assert.ok(!lines[1].transcription, 'the other line is left as it was');
    await shot(section, '22-admin-line-transcription');
    await admin.close();
  });

  test('during a call the operator sees who said what, live, and adds a phrase to the memo', async () => {
    sato = await newPage(browser);
    await signIn(sato, console_.url, 'op-sato');
    await sato.locator('#call-status.call-idle').waitFor();
    await setStatus(sato, 'available');
    // The panel is there between calls already, so a call coming in moves nothing.
    await textContains(sato.locator('#transcript-panel'), '通話が始まると');
    const memoBox = () => sato.locator('#memo-panel').boundingBox();
    const memoBefore = await memoBox();
    // A supervisor watches the board.
    const board = await newPage(browser);
    await board.goto(`${console_.url}/monitor`);
    await board.locator('button[data-user="sv-ito"]').click();
    await board.locator('#monitor').waitFor();
    await board.locator('#mon-op-op-sato').waitFor();
    const started = await sim('POST', '/sim/calls', {
      from: CALLER,
      to: '03-6800-0001',
      script: [
        { speaker: 'customer', text: CUSTOMER_SAYS },
        { speaker: 'operator', text: OPERATOR_SAYS },
        { speaker: 'customer', text: 'よろしくお願いします。' },
      ],
    });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    sid = started.body.sid;
    await sato.locator('#incoming-dialog').waitFor();
    await simUntil(console_.url, { phone: 'op_sato' });
    await sato.keyboard.press('Enter');
    await simUntil(console_.url, { conference: sid, labels: ['customer', 'operator'] });

    const panel = sato.locator('#transcript-panel');
    await panel.waitFor();
    await textContains(panel, CUSTOMER_SAYS);
    await textContains(panel, OPERATOR_SAYS);
    await textContains(panel, 'よろしくお願いします。');
    const rows = panel.locator('.transcript-line');
    assert.equal(await rows.count(), 3, 'the greeting before the answer is not in it');
    assert.equal(await rows.nth(0).locator('.transcript-who').textContent(), 'お客様');
    assert.equal(await rows.nth(1).locator('.transcript-who').textContent(), 'オペレーター');
    assert.match((await rows.nth(0).locator('.transcript-time').textContent()) ?? '', /^\d{2}:\d{2}:\d{2}$/);
    assert.deepEqual(await memoBox(), memoBefore, 'the memo did not move as the call came in and lines arrived');

    // The supervisor's card of 佐藤 shows the call's last lines as they are said.
    const card = board.locator('#mon-op-op-sato .mon-transcript');
    await textContains(card, 'よろしくお願いします。');
    await textContains(card, 'オペレーター');
    await shot(board.locator('#mon-op-op-sato'), '22-transcript-board-card');
    await board.close();

    // A supervisor who opens the board now, mid-call, sees what was said before they came.
    const late = await newPage(browser);
    await late.goto(`${console_.url}/monitor`);
    await late.locator('button[data-user="sv-ito"]').click();
    await late.locator('#monitor').waitFor();
    const lateCard = late.locator('#mon-op-op-sato .mon-transcript');
    await textContains(lateCard, CUSTOMER_SAYS);
    await textContains(lateCard, OPERATOR_SAYS);
    await textContains(lateCard, 'よろしくお願いします。');
    await shot(late.locator('#mon-op-op-sato'), '22-transcript-board-opened-mid-call');

    // The operator speaks live: the phrase follows the others, beside the memo and on the late
    // board's card, which keeps its last three lines with none twice.
    assert.equal((await sim('POST', `/sim/calls/${sid}/speak`, { speaker: 'operator', text: '本日中に再送いたします。' })).status, 204);
    await textContains(panel, '本日中に再送いたします。');
    await textContains(lateCard, '本日中に再送いたします。');
    const cardLines = (await lateCard.locator('li').allTextContents()).map((t) => t.trim());
    assert.equal(cardLines.length, 3, JSON.stringify(cardLines));
    assert.ok(!cardLines.some((t) => t.includes(CUSTOMER_SAYS)), `the oldest line gave way: ${JSON.stringify(cardLines)}`);
    assert.equal(new Set(cardLines).size, 3, `no line twice: ${JSON.stringify(cardLines)}`);
    await late.close();

    // 「メモに追加」 on the customer's first phrase puts it in the memo, labelled.
    await sato.fill('#memo-text', '請求書未着の件');
    await rows.nth(0).locator('.transcript-add').click();
    await eventually(
      async () => (await sato.inputValue('#memo-text')) === `請求書未着の件\n【お客様】${CUSTOMER_SAYS}`,
      5000,
      'the phrase added to the memo',
    );
    await shot(sato.locator('#region-customer'), '22-transcript-beside-memo');
    await shot(sato, '22-transcript-call');
  });

  test('after the call, 対応履歴 finds it by a word said in it and shows its transcript', async () => {
    assert.equal((await sim('POST', `/sim/calls/${sid}/hangup`)).status, 204);
    await simUntil(console_.url, { call: sid, status: 'completed', settled: true });
    const history = sato.locator('#region-history');
    await sato.fill('#history-word', '再送');
    await sato.click('#history-word-go');
    const row = history.locator('.calls-table tbody tr');
    await eventually(async () => (await row.count()) === 1, 10_000, 'the call found by the word');
    await textContains(row, 'オペレーター: 本日中に再送いたします。');
    await sato.fill('#history-word', '解約');
    await sato.click('#history-word-go');
    await textContains(history, '「解約」を含む通話はこの範囲にありません');
    await sato.click('#history-word-clear');
    await eventually(async () => (await row.count()) >= 1, 10_000, 'every call listed again');
    assert.equal(await sato.inputValue('#history-word'), '', 'the search box is cleared with the search');

    await row.first().click();
    const kept = sato.locator('#detail-call-transcript');
    await kept.waitFor();
    await textContains(kept, CUSTOMER_SAYS);
    assert.equal(await kept.locator('.transcript-line').count(), 4);
    await kept.scrollIntoViewIfNeeded();
    await shot(sato, '22-transcript-history');
  });
});
