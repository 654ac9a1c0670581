// The operator screen walked in Chromium, as an operator would on a seeded console: sign in,
// look up a number, read the history, register an inquiry, write a memo with the shortcuts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, eventually, launchBrowser, newPage, regionBoxes, shot, signIn, startConsole, textContains } from './harness.mjs';

const YAMADA_FULLWIDTH = '０３（１２３４）５６７８';

describe('the operator screen', { timeout: 180_000 }, () => {
  let console_;
  let browser;
  let page;

  before(async () => {
    console_ = await startConsole();
    browser = await launchBrowser();
    page = await newPage(browser);
  });

  after(async () => {
    await browser?.close();
    await console_?.stop();
  });

  test('signing in as op-sato shows her name and the six regions', async () => {
    await page.goto(console_.url);
    await page.locator('button[data-user="op-sato"]').waitFor();
    await shot(page, '0-sign-in');
    await signIn(page, console_.url, 'op-sato');
    await textContains(page.locator('#info-user-name'), '佐藤 花子');
    for (const id of ['region-info', 'region-ops', 'region-customer', 'region-history', 'region-entry', 'region-search']) {
      assert.ok(await page.locator(`#${id}`).isVisible(), `${id} is visible`);
    }
    await textContains(page.locator('#region-customer h2'), '取引先情報');
    await textContains(page.locator('#region-history h2'), '対応履歴');
    await textContains(page.locator('#region-entry h2'), 'データ入力');
    await textContains(page.locator('#region-search h2'), 'データ検索');
    await shot(page, '1-operator-empty');
  });

  test('the information region ticks a clock and offers the lines and statuses', async () => {
    const first = await page.locator('.info-time').textContent();
    await eventually(async () => (await page.locator('.info-time').textContent()) !== first, 3000, 'the clock to tick');
    assert.match(await page.locator('.info-date').textContent(), /\d{4}年\d{1,2}月\d{1,2}日\([日月火水木金土]\)/);
    const lines = await page.locator('#info-line option').allTextContents();
    assert.deepEqual(lines, ['代表番号（03-6800-0001）', '営業部（050-3000-1234）']);
    const statuses = await page.locator('#info-status option').allTextContents();
    assert.deepEqual(statuses, ['受付可', '離席', '後処理', '休憩', 'オフライン', '研修中']);
    assert.ok(await page.locator('#info-status').isEnabled(), 'the status can be changed');
    assert.equal(await page.inputValue('#info-status'), 'offline', 'an operator starts signed out of calls');
    await shot(page.locator('#region-info'), '1-information');
  });

  test('the talk script of the chosen line opens in a dialog', async () => {
    await page.selectOption('#info-line', 'sales');
    await page.click('#info-script');
    const dialog = page.locator('#script-dialog');
    await textContains(dialog, '架電時の基本トーク');
    await textContains(dialog, '株式会社サンプルの佐藤 花子と申します');
    await shot(page, '1-talk-script');
    await page.keyboard.press('Escape');
    await eventually(async () => !(await dialog.isVisible()), 3000, 'the dialog to close');
    await page.selectOption('#info-line', 'main');
  });

  test('the operation menu offers 発信応答 once the phone is registered; the rest say why they wait', async () => {
    const labels = await page.locator('.op-button').allTextContents();
    assert.deepEqual(labels.map((s) => s.trim()), ['発信応答', '切断', '保留', '転送', '架電リスト', 'タスク']);
    await page.locator('#call-status.call-idle').waitFor();
    // Signed in, the operator is オフライン until they choose 受付可: the bar says so.
    await textContains(page.locator('#call-badge'), 'オフライン');
    assert.ok(await page.locator('#op-dialAnswer').isEnabled());
    for (const id of ['hangUp', 'hold', 'transfer']) {
      assert.ok(await page.locator(`#op-${id}`).isDisabled(), `${id} waits for a call`);
      assert.equal(await page.getAttribute(`#op-${id}`, 'title'), '通話していません');
      await textContains(page.locator(`#op-${id}-why`), '通話していません');
    }
    await eventually(() => page.locator('#op-callList').isEnabled(), 5000, 'the call lists to be found');
    await shot(page.locator('#region-ops'), '2-operation-menu');
  });

  test('looking up ０３（１２３４）５６７８ shows 山田商事株式会社, its contact and special notes, without moving the layout', async () => {
    const before = await regionBoxes(page);
    await page.fill('#customer-phone', YAMADA_FULLWIDTH);
    await page.click('#customer-lookup');
    await textContains(page.locator('#customer-account'), '山田商事株式会社');
    await textContains(page.locator('#customer-contact'), '山田 太郎');
    const notes = page.locator('#customer-notes');
    await textContains(notes, 'ランク');
    await textContains(notes, '重要顧客。請求関連は経理部の担当者へ直接つなぐこと。');
    assert.equal(await page.inputValue('#customer-phone'), '03-1234-5678');
    await textContains(page.locator('#history-panel'), '対応完了');
    assert.deepEqual(await regionBoxes(page), before, 'no region moved or resized');
    await shot(page.locator('#region-customer'), '3-customer-info');
    await shot(page, '3-after-lookup');
  });

  test('an unknown format of number is refused in Japanese next to the field', async () => {
    const before = await regionBoxes(page);
    await page.fill('#customer-phone', '12');
    await page.press('#customer-phone', 'Enter');
    await textContains(page.locator('#customer-phone-error'), '電話番号の形式が正しくありません');
    assert.equal(await page.getAttribute('#customer-phone', 'aria-invalid'), 'true');
    assert.deepEqual(await regionBoxes(page), before, 'the message does not move anything');
  });

  test('クリア empties the number and everything shown for it', async () => {
    await page.fill('#customer-phone', YAMADA_FULLWIDTH);
    await page.click('#customer-lookup');
    await textContains(page.locator('#customer-account'), '山田商事株式会社');
    await page.click('#customer-clear');
    assert.equal(await page.inputValue('#customer-phone'), '');
    await eventually(async () => !(await page.locator('#customer-account').textContent()).includes('山田商事'), 3000, 'the account to go');
    assert.ok(!(await page.locator('#customer-notes').textContent()).includes('重要顧客'));
    await textContains(page.locator('#history-panel'), '電話番号を照会すると履歴が表示されます');
    assert.equal(await page.getAttribute('#customer-phone-error', 'role'), null);
  });

  test('the history tabs show the calls and the inquiries of the number', async () => {
    // The lookup brings the calls tab with it: one request for the screen pop and its history.
    const asked = [];
    const note = (r) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith('/api/crm/lookup') || u.pathname.startsWith('/api/history/')) asked.push(u);
    };
    page.on('request', note);
    await page.fill('#customer-phone', '03-1234-5678');
    await page.click('#customer-lookup');
    await textContains(page.locator('#customer-account'), '山田商事株式会社');
    const tabs = await page.locator('#region-history [role=tab]').allTextContents();
    assert.deepEqual(tabs, ['通話履歴', '問合せ', '商談']);
    const calls = page.locator('#history-panel tbody tr');
    await eventually(async () => (await calls.count()) >= 5, 5000, 'five calls');
    page.off('request', note);
    assert.deepEqual(
      asked.map((u) => `${u.pathname}?${u.searchParams.get('calls') ?? ''}`),
      ['/api/crm/lookup?20'],
      'the lookup alone, asking for the first 20 calls',
    );
    const row = await calls.first().textContent();
    assert.match(row, /\d\d\/\d\d \d\d:\d\d/, 'date and time');
    assert.match(row, /発信|着信/, 'direction');
    assert.match(row, /佐藤 花子/, 'operator');
    assert.match(row, /\d\d:\d\d/, 'duration');
    assert.match(row, /対応完了/, 'response status label, not its id');
    assert.match(row, /【お客様】請求書が届いていない/, 'memo excerpt');
    await shot(page.locator('#region-history'), '4-history-calls');

    await page.click('#history-tab-inquiry');
    await textContains(page.locator('#history-panel'), '請求書の再発行について');
    await textContains(page.locator('#history-panel'), '請求・契約');
    await page.click('#history-tab-deal');
    await textContains(page.locator('#history-panel'), '山田商事株式会社様 システム更新案件');
  });

  test('clicking a call shows it in Data search, and previous / next step through the list', async () => {
    await page.click('#history-tab-calls');
    const calls = page.locator('#history-panel tbody tr');
    await calls.nth(1).click();
    await textContains(page.locator('#detail-position'), '2 / 5');
    await textContains(page.locator('#search-detail'), '【オペレータ】');
    await page.click('#detail-prev');
    await textContains(page.locator('#detail-position'), '1 / 5');
    assert.ok(await page.locator('#detail-prev').isDisabled());
    await page.click('#detail-next');
    await textContains(page.locator('#detail-position'), '2 / 5');
    assert.equal(await calls.nth(1).getAttribute('aria-current'), 'true');
    await page.click('#detail-back');
  });

  test('新規 in the 問合せ tab opens the inquiry form linked to the customer; saved, it appears in the tab', async () => {
    await page.click('#history-tab-inquiry');
    await page.click('#history-new');
    const form = page.locator('#entry-form');
    assert.equal(await form.getAttribute('data-object'), 'inquiry');
    await textContains(page.locator('#entry-link-account'), '山田商事株式会社');
    await textContains(page.locator('#entry-link-contact'), '山田 太郎');
    assert.equal(await page.inputValue('#entry-phone'), '03-1234-5678', 'the number is prefilled');
    // The focus moves once the form's fields are there (they may render after the click).
    await page.waitForFunction(() => document.activeElement?.id === 'entry-subject', null, { timeout: 5000 });

    await page.click('#entry-save');
    await textContains(page.locator('.field[data-field="subject"] .field-error'), '入力してください');
    assert.equal(await page.getAttribute('#entry-subject', 'aria-invalid'), 'true');
    await shot(page.locator('#region-entry'), '5-entry-required');

    await page.fill('#entry-subject', '配送状況の確認');
    await page.selectOption('#entry-category', 'other');
    await page.selectOption('#entry-status', 'in_progress');
    await page.fill('#entry-detail', '【お客様】注文品がまだ届かない\n【オペレータ】配送業者に確認して折り返す');
    await shot(page.locator('#region-entry'), '5-entry-filled');
    await page.click('#entry-save');
    await textContains(page.locator('#entry-message'), '問合せを登録しました');
    await textContains(page.locator('#history-panel'), '配送状況の確認');
    await textContains(page.locator('#history-panel'), 'その他');
    assert.equal(await page.inputValue('#entry-subject'), '', 'the form is ready for the next inquiry');
    await shot(page, '5-after-save');
  });

  test('a value the API refuses (422) is explained next to its field', async () => {
    await page.fill('#entry-subject', '番号違いの確認');
    await page.fill('#entry-phone', '12');
    await page.click('#entry-save');
    await textContains(page.locator('.field[data-field="phone"] .field-error'), '電話番号の形式が正しくありません');
    assert.equal(await page.getAttribute('#entry-phone', 'aria-invalid'), 'true');
    await shot(page.locator('#region-entry'), '5-entry-422');
    await page.click('#entry-reset');
  });

  test('[+] beside the account opens a new account prefilled with the number; saved, it can be chosen', async () => {
    await page.fill('#customer-phone', '06-6000-1234');
    await page.click('#customer-lookup');
    await textContains(page.locator('#customer-account'), '該当なし');
    await page.click('#customer-account-new');
    assert.equal(await page.locator('#entry-form').getAttribute('data-object'), 'account');
    assert.equal(await page.inputValue('#entry-phone'), '06-6000-1234');
    await page.fill('#entry-name', '大阪テスト商会');
    await page.fill('#entry-name_kana', 'オオサカテストショウカイ');
    await page.click('#entry-save');
    await textContains(page.locator('#entry-message'), '取引先を登録しました');
    await textContains(page.locator('#customer-account'), '大阪テスト商会');
  });

  test('when two accounts share the number, a chooser picks one and the notes and history follow it', async () => {
    const created = await api(console_.url, 'op-suzuki', 'POST', '/api/crm/objects/account/records', {
      fields: { name: '山田商事株式会社 大阪支店', name_kana: 'ヤマダショウジ オオサカシテン', phone: '03-1234-5678', notes: '大阪支店の窓口。納品の問い合わせはこちら。' },
    });
    assert.equal(created.status, 201);
    await page.fill('#customer-phone', '03-1234-5678');
    await page.click('#customer-lookup');
    const chooser = page.locator('#customer-account-chooser');
    await chooser.waitFor();
    await textContains(page.locator('#customer-account'), '2件該当');
    assert.deepEqual(await chooser.locator('option').allTextContents(), ['山田商事株式会社（ヤマダショウジ）', '山田商事株式会社 大阪支店（ヤマダショウジ オオサカシテン）']);
    await textContains(page.locator('#customer-notes'), '重要顧客');
    await chooser.selectOption(created.body.id);
    await textContains(page.locator('#customer-notes'), '大阪支店の窓口');
    await page.click('#history-tab-inquiry');
    await textContains(page.locator('#history-panel'), '履歴はありません');
    await textContains(page.locator('#entry-link-account'), '大阪支店');
    assert.equal(await page.inputValue('#customer-contact-chooser'), '', "山田 太郎 works for the other account: not chosen, but offered");
    assert.ok((await page.locator('#entry-link-contact').textContent()).includes('紐づけなし'));
    await shot(page.locator('#region-customer'), '3-customer-chooser');
    await chooser.selectOption({ index: 0 });
    await textContains(page.locator('#history-panel'), '配送状況の確認');
  });

  test('memo: Ctrl+Z and Ctrl+X insert the labels at the caret; 元に戻す and Ctrl+Shift+Z undo', async () => {
    const memo = page.locator('#memo-text');
    await memo.click();
    await page.keyboard.press('Control+z');
    await page.keyboard.type('ご用件をお伺いします');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+x');
    await page.keyboard.type('請求書が届かない');
    assert.equal(await memo.inputValue(), '【オペレータ】ご用件をお伺いします\n【お客様】請求書が届かない');

    // At the caret, not at the end.
    await page.keyboard.press('Home');
    await page.keyboard.press('Control+z');
    assert.equal(await memo.inputValue(), '【オペレータ】ご用件をお伺いします\n【オペレータ】【お客様】請求書が届かない');
    await page.keyboard.press('Control+Shift+Z');
    assert.equal(await memo.inputValue(), '【オペレータ】ご用件をお伺いします\n【お客様】請求書が届かない');

    // The buttons do the same (the caret is back where the undone label was), and 元に戻す undoes.
    await page.click('#memo-insert-customer');
    assert.equal(await memo.inputValue(), '【オペレータ】ご用件をお伺いします\n【お客様】【お客様】請求書が届かない');
    await page.click('#memo-undo');
    assert.equal(await memo.inputValue(), '【オペレータ】ご用件をお伺いします\n【お客様】請求書が届かない');

    await page.selectOption('#memo-status', 'callback');
    await textContains(page.locator('.save-indicator'), '未保存');
    await page.click('#memo-panel .help-button');
    assert.ok(await page.locator('#memo-help').isVisible(), 'the help explains the shortcuts');
    await textContains(page.locator('#memo-help'), 'Ctrl+Shift+Z');
    await shot(page.locator('#region-customer'), '3-memo');

    await page.reload();
    await page.locator('#operator').waitFor();
    assert.equal(await page.inputValue('#memo-text'), '【オペレータ】ご用件をお伺いします\n【お客様】請求書が届かない', 'a reload keeps the memo');
    assert.equal(await page.inputValue('#memo-status'), 'callback');
  });

  test('the English switch translates the page and is remembered', async () => {
    await page.click('#region-info button[aria-label="Switch to English"]');
    await textContains(page.locator('#region-customer h2'), 'Customer info');
    await textContains(page.locator('#op-dialAnswer'), 'Dial / Answer');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await shot(page, '1-english');
    await page.reload();
    await textContains(page.locator('#region-history h2'), 'Response history');
    await page.click('#region-info button[aria-label="日本語に切り替え"]');
    await textContains(page.locator('#region-history h2'), '対応履歴');
  });

  test('every control is reachable with Tab and shows where the focus is', async () => {
    await page.locator('#customer-phone').focus();
    const seen = new Set();
    const wanted = ['customer-lookup', 'customer-clear', 'memo-status', 'memo-text', 'memo-insert-operator', 'search-query', 'entry-subject', 'entry-save'];
    for (let i = 0; i < 150 && !wanted.every((id) => seen.has(id)); i++) {
      await page.keyboard.press('Tab');
      const info = await page.evaluate(() => {
        const el = document.activeElement;
        if (!el) return null;
        const style = getComputedStyle(el);
        return { id: el.id, outline: style.outlineStyle !== 'none' && style.outlineWidth !== '0px' };
      });
      if (info?.id) seen.add(info.id);
      assert.ok(info?.outline, `focus is visible on ${info?.id || 'an element'}`);
    }
    for (const id of wanted) {
      assert.ok(seen.has(id), `${id} is reachable by Tab`);
    }
    assert.deepEqual(page.errors.map(String), []);
  });
});
