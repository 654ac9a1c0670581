// The admin page in Chromium: only admins may use it; sections save with their version, show
// the API's 422 explanation, reload the current value on 409; operators see the change.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, eventually, launchBrowser, newPage, shot, signIn, startConsole, textContains } from './harness.mjs';

describe('the admin page', { timeout: 180_000 }, () => {
  let console_;
  let browser;
  let operator;
  let admin;

  before(async () => {
    console_ = await startConsole();
    browser = await launchBrowser();
    operator = await newPage(browser);
    admin = await newPage(browser);
  });

  after(async () => {
    await browser?.close();
    await console_?.stop();
  });

  test('an operator who opens /admin is politely refused', async () => {
    await signIn(operator, console_.url, 'op-sato', '/admin');
    await textContains(operator.locator('#admin-refused'), 'このページは管理者のみ利用できます');
    await textContains(operator.locator('#admin-refused'), '佐藤 花子 さんはオペレータとしてサインインしています');
    await shot(operator, '7-admin-refused');
    await operator.click('#admin-refused a');
    await operator.locator('#operator').waitFor();
    assert.equal(await operator.locator('#region-info a[href="/admin"]').count(), 0, 'no admin link for operators');
  });

  test('the admin sees every settings section', async () => {
    await signIn(admin, console_.url, 'admin-watanabe', '/admin');
    const titles = await admin.locator('.admin-section h2').allTextContents();
    assert.deepEqual(titles, [
      '発信回線',
      '対応ステータス',
      'オペレータステータス（追加分）',
      '特記事項の項目',
      '対応履歴のタブ',
      'データ検索の対象と項目',
      'トークスクリプト',
      'オブジェクトと項目',
      '着信処理',
      '発信先の制限',
      'キーボードショートカット',
      '営業時間',
      'IVRメニュー',
      '待ち受け音・折り返し',
      '窓口（待ち行列）',
    ]);
    await shot(admin, '7-admin');
  });

  test('the admin adds a response status, and the operator is offered it after a reload', async () => {
    const section = admin.locator('#section-response_statuses');
    await section.locator('.add-row').click();
    await section.getByLabel('ID 6', { exact: true }).fill('complaint');
    await section.getByLabel('表示名 6', { exact: true }).fill('クレーム');
    await section.getByLabel('表示名（英語） 6', { exact: true }).fill('Complaint');
    await textContains(section, '未保存の変更があります');
    await admin.click('#save-response_statuses');
    await textContains(admin.locator('#message-response_statuses'), '保存しました（版 1）');
    await shot(section, '7-admin-response-statuses');

    await operator.reload();
    await operator.locator('#operator').waitFor();
    const options = await operator.locator('#memo-status option').allTextContents();
    assert.ok(options.includes('クレーム'), `the memo offers クレーム: ${options}`);
    await operator.selectOption('#memo-status', 'complaint');
  });

  test("a value the API refuses (422) is explained, in the admin's language with the API's detail", async () => {
    const section = admin.locator('#section-presence_statuses');
    await section.locator('.add-row').click();
    await section.getByLabel('ID 2', { exact: true }).fill('available');
    await section.getByLabel('表示名 2', { exact: true }).fill('受付');
    await admin.click('#save-presence_statuses');
    const message = admin.locator('#message-presence_statuses');
    await textContains(message, '設定内容に誤りがあります');
    await textContains(message, '「available」は組み込みのステータスのIDです');
    await shot(section, '7-admin-422');
    await section.locator('button:has-text("元に戻す")').click();
    assert.equal(await section.locator('tbody tr').count(), 1);

    await admin.fill('#ch-ring_timeout_seconds', '100');
    await admin.click('#save-call_handling');
    await textContains(admin.locator('#message-call_handling'), '呼出時間は5〜60秒');
  });

  test('a section someone else saved meanwhile (409) is reloaded with their value', async () => {
    const section = admin.locator('#section-response_statuses');
    await section.getByLabel('表示名 1', { exact: true }).fill('対応完了（済）');

    // Another admin saves the same section first.
    const now = await api(console_.url, 'admin-watanabe', 'GET', '/api/settings');
    const other = await api(console_.url, 'admin-watanabe', 'PUT', '/api/settings/response_statuses', {
      version: now.body.versions.response_statuses,
      value: [...now.body.response_statuses, { id: 'vip', label: 'VIP対応' }],
    });
    assert.equal(other.status, 200);

    await admin.click('#save-response_statuses');
    await textContains(admin.locator('#message-response_statuses'), '他の管理者がこの設定を更新しました');
    await textContains(admin.locator('#message-response_statuses'), '版 2');
    await eventually(async () => (await section.locator('tbody tr').count()) === 7, 5000, "the other admin's 7 statuses");
    assert.equal(await section.getByLabel('表示名 1', { exact: true }).inputValue(), '対応完了', 'my unsaved change was replaced by the current value');
    await shot(section, '7-admin-409');
  });

  test('removing the 商談 history tab removes it from the operator screen', async () => {
    const section = admin.locator('#section-history_tabs');
    await section.getByLabel('削除 2', { exact: true }).click();
    await admin.click('#save-history_tabs');
    await textContains(admin.locator('#message-history_tabs'), '保存しました');
    await operator.reload();
    await operator.locator('#operator').waitFor();
    const tabs = await operator.locator('#region-history [role=tab]').allTextContents();
    assert.deepEqual(tabs, ['通話履歴', '問合せ']);
    assert.deepEqual([...admin.errors, ...operator.errors].map(String), []);
  });
});
