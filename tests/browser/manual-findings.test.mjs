// What a new user found walking the manual's flows in Chromium, each walked again here: 受付日時
// is the call's, not the moment the form was reset; コピー and 修正 ask before replacing a
// half-typed form; Ctrl+X never destroys a selection (and the memo's help says so); 更新日時 names
// the person; a call nobody answered shows no talk time; the simulator panel leaves its toggle
// in reach; in English, the labels an admin gave in English are shown.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, eventually, launchBrowser, newPage, setStatus, shot, signIn, simRequest, simUntil, startConsole, textContains } from './harness.mjs';

const YAMADA = '03-1234-5678';

describe('findings of the walk through the manual', { timeout: 240_000 }, () => {
  let console_;
  let browser;
  let page;

  const sim = (method, path, body) => simRequest(console_.url, method, path, body);
  const simWait = (condition) => simUntil(console_.url, condition);

  before(async () => {
    console_ = await startConsole();
    browser = await launchBrowser();
    page = await newPage(browser);
    await signIn(page, console_.url, 'op-suzuki');
    await page.locator('#call-status.call-idle').waitFor();
  });

  after(async () => {
    await browser?.close();
    await console_?.stop();
  });

  test('an empty hourly chart draws nothing that looks like a bar under its "no calls yet"', async () => {
    const sv = await newPage(browser);
    await sv.goto(`${console_.url}/monitor`);
    await sv.locator('button[data-user="sv-ito"]').click();
    await sv.locator('#monitor').waitFor();
    const chart = sv.locator('#mon-chart');
    await chart.waitFor();
    const inbound = Number((await sv.locator('#mon-today-inbound').textContent()).replace(/\D/g, ''));
    if (inbound === 0) {
      await textContains(chart, '本日の着信はまだありません');
      assert.equal(await chart.locator('rect').count(), 0, 'no bar drawn under the words');
    } else {
      assert.ok((await chart.locator('rect.mon-bar-in').count()) > 0);
    }
    await shot(sv.locator('#mon-today'), '20-monitor-today');
    await sv.context().close();
  });

  test('コピー and 修正 ask before replacing a half-typed inquiry, and 更新日時 names the person, not their id', async () => {
    await page.fill('#customer-phone', YAMADA);
    await page.click('#customer-lookup');
    await textContains(page.locator('#customer-account'), '山田商事株式会社');
    await page.fill('#entry-subject', '途中まで入力した問合せ');
    await page.click('#history-tab-inquiry');
    const row = page.locator('#history-panel tbody tr.clickable').first();
    const subject = ((await row.locator('.rec-title').textContent()) ?? '').trim();
    await row.click();
    const detail = page.locator('#search-detail');
    await textContains(detail, subject);
    const updated = (await detail.locator('.rv-meta dd').textContent()) ?? '';
    assert.doesNotMatch(updated, /\((op|sv|admin)-[a-z]+\)/, `更新日時 names the person: ${updated}`);

    await page.click('#detail-copy');
    const ask = page.locator('#entry-replace');
    await textContains(ask, '入力中の問合せは保存されていません');
    assert.equal(await page.inputValue('#entry-subject'), '途中まで入力した問合せ', 'nothing replaced before the operator says so');
    await shot(page.locator('#region-entry'), '20-entry-replace-ask');
    await page.click('#entry-replace-keep');
    assert.equal(await ask.count(), 0);
    assert.equal(await page.inputValue('#entry-subject'), '途中まで入力した問合せ');

    await page.click('#detail-edit');
    await textContains(ask, '修正を開きますか');
    await page.click('#entry-replace-discard');
    await eventually(async () => (await page.inputValue('#entry-subject')) === subject, 5000, 'the record opened for editing');
    await textContains(page.locator('#entry-mode'), '編集');
    // A form with nothing typed is replaced without asking.
    await page.click('#detail-copy');
    assert.equal(await ask.count(), 0);
    await page.click('#customer-clear');
  });

  test('Ctrl+X with words selected inserts 【お客様】 after them and never deletes them; the help says so', async () => {
    const memo = page.locator('#memo-text');
    await memo.fill('請求書が届かない');
    await memo.evaluate((el) => el.setSelectionRange(0, 3));
    await page.keyboard.press('Control+x');
    assert.equal(await memo.inputValue(), '請求書【お客様】が届かない');
    await memo.evaluate((el) => el.setSelectionRange(0, 3));
    await page.keyboard.press('Control+z');
    assert.equal(await memo.inputValue(), '請求書【オペレータ】【お客様】が届かない');
    await page.click('#memo-panel .help-button');
    await textContains(page.locator('#memo-help'), '選択を消さず');
    await page.keyboard.press('Escape');
    await memo.fill('');
  });

  test('受付日時 of the inquiry is when the call rang, not when the form was last reset nor when it was answered', async () => {
    const p = await newPage(browser);
    // The page signs in three minutes "earlier": the form is reset then.
    await p.clock.setFixedTime(new Date(Date.now() - 3 * 60_000));
    await signIn(p, console_.url, 'op-takahashi');
    await p.locator('#call-status.call-idle').waitFor();
    const reset = await p.inputValue('#entry-received_at');
    await setStatus(p, 'available');
    // The call rings now on the server's clock; the operator's page reaches it four minutes
    // "later" (the customer waited): 受付日時 is when it rang.
    await p.clock.setFixedTime(new Date(Date.now() + 4 * 60_000));
    const hhmm = (at) => new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit', hour12: false }).format(at);
    const before = hhmm(new Date());
    const started = await sim('POST', '/sim/calls', { from: YAMADA });
    const after = hhmm(new Date());
    const sid = started.body.sid;
    await p.locator('#incoming-dialog').waitFor();
    await p.click('#incoming-accept');
    await simWait({ conference: sid, labels: ['customer', 'operator'] });
    await eventually(
      async () => {
        const v = await p.inputValue('#entry-received_at');
        return v.endsWith(before) || v.endsWith(after);
      },
      5000,
      `受付日時 at ${before}`,
    );
    assert.notEqual(await p.inputValue('#entry-received_at'), reset);
    await shot(p.locator('#region-entry'), '20-entry-received-at-rang');
    await p.click('#op-hangUp');
    await simWait({ call: sid, status: 'completed', settled: true });
    await setStatus(p, 'away');
    await p.context().close();
  });

  test('a call nobody answered shows no talk time, and its kind instead of an operator', async () => {
    const started = await sim('POST', '/sim/calls', { from: '03-5555-0101' });
    const sid = started.body.sid;
    await simWait({ settled: true });
    await new Promise((r) => setTimeout(r, 1500));
    await sim('POST', `/sim/calls/${sid}/hangup`);
    await simWait({ call: sid, status: 'completed', settled: true });
    await page.fill('#customer-phone', '03-5555-0101');
    await page.click('#customer-lookup');
    await page.click('#history-tab-calls');
    const row = page.locator(`#history-panel tbody tr`).first();
    await textContains(row, '放棄呼');
    const cells = await row.locator('td').allTextContents();
    assert.equal(cells[2].trim(), '', `no operator: ${cells}`);
    assert.equal(cells[3].trim(), '—', `no talk time: ${cells}`);
    await shot(page.locator('#region-history'), '20-abandoned-row');
    await page.click('#customer-clear');
  });

  test('the simulator panel keeps its buttons inside it and never covers its own toggle', async () => {
    await page.click('#sim-toggle');
    await page.fill('#sim-query', '山田');
    await page.click('#sim-search-run');
    await eventually(async () => (await page.locator('#sim-hits li').count()) > 0, 5000, 'the search hits');
    await shot(page, '20-simulator-open');
    // Everything in the panel is inside it: 着信させる is not cut off at its edge.
    const body = await page.locator('.sim-body').boundingBox();
    const call = await page.locator('#sim-call').boundingBox();
    assert.ok(call.x + call.width <= body.x + body.width - 8, `着信させる inside the panel: ${JSON.stringify({ call, body })}`);
    // The toggle receives the click (a covered one would not).
    await page.click('#sim-toggle', { timeout: 3000 });
    assert.equal(await page.getAttribute('#sim-toggle', 'aria-expanded'), 'false');
  });

  test("in English, the labels an admin gave in English are shown: the lines' and the special notes'", async () => {
    await page.fill('#customer-phone', YAMADA);
    await page.click('#customer-lookup');
    await textContains(page.locator('#customer-notes'), '重要顧客');
    await page.click('.info-tools button[aria-label="Switch to English"]');
    const options = await page.locator('#info-line option').allTextContents();
    assert.ok(options.some((o) => o.startsWith('Main number')), `the line's English label: ${options}`);
    const notes = (await page.locator('#customer-notes dt').allTextContents()).join(' ');
    assert.match(notes, /Special notes/, `the note's field label in English: ${notes}`);
    await shot(page.locator('#region-info'), '20-english-lines');
    await page.click('.info-tools button[aria-label="日本語に切り替え"]');
    await page.click('#customer-clear');
    const { body } = await api(console_.url, 'op-suzuki', 'GET', '/api/settings');
    assert.equal(body.lines.find((l) => l.id === 'main').label_en, 'Main number');
    assert.deepEqual(page.errors.map(String), []);
  });

  test("in English, every label an admin gave in English is shown: statuses, objects and their tabs, fields, a search hit's field, and a talk script's title set in the admin page", async () => {
    // The admin gives the inbound script an English title, beside its Japanese one.
    const admin = await newPage(browser);
    await admin.goto(`${console_.url}/admin`);
    await admin.locator('button[data-user="admin-watanabe"]').click();
    const section = admin.locator('#section-scripts');
    await section.waitFor();
    await section.locator('input[aria-label="タイトル（英語） 1"]').fill('Inbound greeting');
    await admin.click('#save-scripts');
    await textContains(admin.locator('#message-scripts'), '保存しました');
    await shot(section, '20-admin-script-title-en');
    await admin.context().close();
    const { body } = await api(console_.url, 'op-suzuki', 'GET', '/api/settings');
    assert.equal(body.scripts.find((x) => x.id === 'inbound').title_en, 'Inbound greeting');

    await page.reload();
    await page.locator('#call-status.call-idle').waitFor();
    await page.click('.info-tools button[aria-label="Switch to English"]');
    try {
      await page.selectOption('#info-line', 'main');
      await page.click('#info-script');
      await textContains(page.locator('#script-dialog'), 'Inbound greeting');
      await shot(page.locator('#script-dialog'), '20-english-script');
      await page.keyboard.press('Escape');
      const statuses = await page.locator('#memo-status option').allTextContents();
      assert.ok(statuses.includes('Resolved'), `the response statuses in English: ${statuses}`);
      const presence = await page.locator('#info-status option').allTextContents();
      assert.ok(presence.includes('Training'), `the admin's presence status in English: ${presence}`);
      await textContains(page.locator('#history-tab-deal'), 'Deal');
      const objects = await page.locator('#search-object option').allTextContents();
      assert.ok(objects.includes('Deal'), `the search objects in English: ${objects}`);
      // A hit says which field matched, in English.
      await page.selectOption('#search-object', 'deal');
      await page.fill('#search-query', 'システム更新');
      await page.click('#search-run');
      await textContains(page.locator('#search-results .hit').first(), 'Deal name');
      await shot(page.locator('#region-search'), '20-english-search');
    } finally {
      await page.click('.info-tools button[aria-label="日本語に切り替え"]');
    }
    assert.deepEqual(page.errors.map(String), []);
  });
});
