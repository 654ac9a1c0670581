// Data search and the detail view in Chromium: search, step through the hits, edit a record
// (and meet someone else's change: 409), copy a record into Data entry.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, eventually, launchBrowser, newPage, regionBoxes, shot, signIn, startConsole, textContains } from './harness.mjs';

describe('data search and records', { timeout: 180_000 }, () => {
  let console_;
  let browser;
  let page;

  before(async () => {
    console_ = await startConsole();
    browser = await launchBrowser();
    page = await newPage(browser);
    await signIn(page, console_.url, 'op-sato');
  });

  after(async () => {
    await browser?.close();
    await console_?.stop();
  });

  test('the search objects are the configured ones', async () => {
    const options = await page.locator('#search-object option').allTextContents();
    assert.deepEqual(options, ['取引先', '取引先担当者', '問合せ', '商談']);
  });

  test('a one-character query is refused in Japanese', async () => {
    await page.fill('#search-query', 'ヤ');
    await page.click('#search-run');
    await textContains(page.locator('#search-error'), '2文字以上入力してください');
  });

  test('ヤマダ finds 山田商事株式会社 by its kana reading', async () => {
    await page.selectOption('#search-object', 'account');
    await page.fill('#search-query', 'ヤマダ');
    await page.click('#search-run');
    const hits = page.locator('#search-results .hit');
    await textContains(hits.first(), '山田商事株式会社');
    await textContains(hits.first(), '一致: 取引先名（カナ）');
  });

  test('ヤマダ among contacts: a hit opens in detail, and next / previous step through the hits', async () => {
    const before = await regionBoxes(page);
    await page.selectOption('#search-object', 'contact');
    await page.fill('#search-query', 'ﾔﾏﾀﾞ');
    await page.press('#search-query', 'Enter');
    const hits = page.locator('#search-results .hit');
    await eventually(async () => (await hits.count()) >= 3, 5000, 'three contacts named 山田');
    const titles = (await page.locator('#search-results .hit-title').allTextContents()).map((s) => s.trim());
    assert.ok(titles.every((n) => n.startsWith('山田')), `all hits are 山田: ${titles}`);
    await shot(page.locator('#region-search'), '6-search-results');

    await hits.first().click();
    await textContains(page.locator('#detail-position'), `1 / ${titles.length}`);
    await textContains(page.locator('#detail-title'), titles[0]);
    await page.click('#detail-next');
    await textContains(page.locator('#detail-position'), `2 / ${titles.length}`);
    await textContains(page.locator('#detail-title'), titles[1]);
    await textContains(page.locator('#search-detail'), 'ヤマダ');
    await page.click('#detail-prev');
    await textContains(page.locator('#detail-title'), titles[0]);
    await page.click('#detail-next');
    await textContains(page.locator('#detail-title'), titles[1]);
    assert.deepEqual(await regionBoxes(page), before, 'the detail view does not move the layout');
    await shot(page.locator('#region-search'), '6-search-detail');
  });

  test('修正 opens the record in Data entry; 更新 saves it with its version and the detail follows', async () => {
    const name = (await page.locator('#detail-title').textContent()).replace('取引先担当者', '').trim();
    await page.click('#detail-edit');
    const form = page.locator('#entry-form');
    assert.equal(await form.getAttribute('data-mode'), 'edit');
    assert.equal(await form.getAttribute('data-object'), 'contact');
    assert.equal(await page.inputValue('#entry-name'), name);
    assert.match(await page.inputValue('#entry-mobile'), /^090-\d{4}-\d{4}$/, 'phones in national form');
    await textContains(page.locator('#entry-save'), '更新');
    await page.fill('#entry-title', '部長代理');
    await shot(page.locator('#region-entry'), '5-entry-edit');
    await page.click('#entry-save');
    await textContains(page.locator('#entry-message'), '取引先担当者を更新しました');
    await textContains(page.locator('#search-detail [data-field="title"]'), '部長代理');
    await textContains(page.locator('#search-detail .rv-meta'), 'v2');
    assert.equal(await form.getAttribute('data-mode'), 'new', 'the form is back to a new inquiry');
  });

  test('a record changed by someone else meanwhile gets a 409: the page says so and can apply my change on top', async () => {
    await page.click('#detail-edit');
    // Someone else saves the same record first (through the API, as another operator would).
    const title = (await page.locator('#detail-title').textContent()).replace('取引先担当者', '').trim();
    const found = await api(console_.url, 'op-suzuki', 'GET', `/api/crm/search?object=contact&q=${encodeURIComponent(title)}`);
    const hit = found.body.items.find((h) => h.title === title);
    const current = await api(console_.url, 'op-suzuki', 'GET', `/api/crm/objects/contact/records/${hit.id}`);
    const other = await api(console_.url, 'op-suzuki', 'PUT', `/api/crm/objects/contact/records/${hit.id}`, {
      version: current.body.version,
      fields: { department: '経営企画部' },
    });
    assert.equal(other.status, 200);

    await page.fill('#entry-title', '部長');
    await page.click('#entry-save');
    const banner = page.locator('#entry-conflict');
    await textContains(banner, '鈴木 一郎'); // the person, by name
    await textContains(banner, `版 ${current.body.version + 1}`);
    await shot(page.locator('#region-entry'), '5-entry-conflict');
    await page.click('#entry-conflict button:has-text("自分の変更で上書き")');
    await textContains(page.locator('#entry-message'), '取引先担当者を更新しました');
    const saved = await api(console_.url, 'op-suzuki', 'GET', `/api/crm/objects/contact/records/${hit.id}`);
    assert.equal(saved.body.fields.title, '部長', 'my change');
    assert.equal(saved.body.fields.department, '経営企画部', "the other person's change is kept");
    await textContains(page.locator('#search-detail [data-field="department"]'), '経営企画部');
  });

  test('コピー opens a new record in Data entry prefilled from the one shown', async () => {
    const title = (await page.locator('#detail-title').textContent()).replace('取引先担当者', '').trim();
    const account = (await page.locator('#search-detail .rv-row').first().textContent()).replace('取引先', '').trim();
    await page.click('#detail-copy');
    const form = page.locator('#entry-form');
    assert.equal(await form.getAttribute('data-mode'), 'copy');
    assert.equal(await form.getAttribute('data-object'), 'contact');
    assert.equal(await page.inputValue('#entry-name'), title);
    assert.equal(await page.inputValue('#entry-department'), '経営企画部');
    await textContains(page.locator('#entry-link-account'), account);
    await shot(page.locator('#region-entry'), '5-entry-copy');
    await page.fill('#entry-name', `${title}（コピー）`);
    await page.click('#entry-save');
    await textContains(page.locator('#entry-message'), '取引先担当者を登録しました');
    const found = await api(console_.url, 'op-sato', 'GET', `/api/crm/search?object=contact&q=${encodeURIComponent('（コピー）')}`);
    assert.equal(found.body.items.length, 1);
    assert.deepEqual(page.errors.map(String), []);
  });

  test('records of the history open in the detail with previous / next through that tab', async () => {
    await page.fill('#customer-phone', '03-1234-5678');
    await page.click('#customer-lookup');
    await page.click('#history-tab-deal');
    await textContains(page.locator('#history-panel'), 'システム更新案件');
    await page.locator('#history-panel tbody tr').first().click();
    await textContains(page.locator('#detail-title'), '山田商事株式会社様 システム更新案件');
    await textContains(page.locator('#search-detail [data-field="amount"]'), '500,000');
    await textContains(page.locator('#search-detail [data-field="stage"]'), '提案');
    await shot(page, '6-history-record-detail');
  });
});
