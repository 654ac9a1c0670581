// 窓口 (queues) and operators' skills on the admin page in Chromium: the admin adds a queue, a
// duplicate id is refused with the API's Japanese reason and the fix is saved; the admin gives an
// operator the queue as a skill in the users table and the API has it; the supervisors' board
// shows a row per queue.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, launchBrowser, newPage, shot, signIn, startConsole, textContains } from './harness.mjs';

describe('queues and skills on the admin page', { timeout: 180_000 }, () => {
  let console_;
  let browser;
  let admin;

  before(async () => {
    console_ = await startConsole();
    browser = await launchBrowser();
    admin = await newPage(browser);
    await signIn(admin, console_.url, 'admin-watanabe', '/admin');
  });

  after(async () => {
    await browser?.close();
    await console_?.stop();
  });

  test('the admin adds a queue: a duplicate id refused in Japanese, then saved', async () => {
    const section = admin.locator('#section-queues');
    await section.scrollIntoViewIfNeeded();
    await textContains(section.locator('#section-queues-title'), '窓口');
    assert.equal(await section.getByLabel('窓口名 1', { exact: true }).inputValue(), '総合窓口');
    await section.locator('button', { hasText: '窓口を追加' }).click();
    await section.getByLabel('ID 2', { exact: true }).fill('general');
    await section.getByLabel('窓口名 2', { exact: true }).fill('料金窓口');
    await admin.click('#save-queues');
    const message = admin.locator('#message-queues');
    await textContains(message, '設定内容に誤りがあります');
    await textContains(message, 'ID general が2つの窓口で使われています');
    await shot(section, '22-admin-queues-refused');

    await section.getByLabel('ID 2', { exact: true }).fill('billing');
    await section.getByLabel('窓口名（英語） 2', { exact: true }).fill('Billing');
    await admin.click('#save-queues');
    await textContains(message, '保存しました（版 1）');
    await shot(section, '22-admin-queues');
    const { body } = await api(console_.url, 'admin-watanabe', 'GET', '/api/settings');
    assert.deepEqual(body.queues, [
      { id: 'general', name: '総合窓口', name_en: 'General' },
      { id: 'billing', name: '料金窓口', name_en: 'Billing' },
    ]);
  });

  test('the admin gives an operator the billing queue as a skill, and takes it away again', async () => {
    // The settings the page holds know the new queue once it is read again.
    await admin.reload();
    const section = admin.locator('#section-users');
    await section.scrollIntoViewIfNeeded();
    const row = section.locator('#users-table tbody tr', { hasText: '佐藤 花子' });
    await textContains(row.locator('.user-skills-summary'), 'すべての窓口');
    await row.locator('.user-skills-edit').click();
    await row.getByLabel('佐藤 花子さんが受ける窓口: 料金窓口', { exact: true }).check();
    await shot(row, '22-admin-skills-editing');
    await row.locator('.user-skills-save').click();
    await textContains(admin.locator('#users-message'), '佐藤 花子さんの受ける窓口を保存しました（料金窓口）');
    await textContains(row.locator('.user-skills-summary'), '料金窓口');
    await shot(section, '22-admin-skills');
    let { body } = await api(console_.url, 'admin-watanabe', 'GET', '/api/users/skills');
    const sato = Object.entries(body.skills).find(([, q]) => q.includes('billing'));
    assert.ok(sato, JSON.stringify(body));
    assert.deepEqual(sato[1], ['billing']);

    await row.locator('.user-skills-edit').click();
    await row.getByLabel('佐藤 花子さんが受ける窓口: 料金窓口', { exact: true }).uncheck();
    await row.locator('.user-skills-save').click();
    await textContains(admin.locator('#users-message'), '佐藤 花子さんの受ける窓口を保存しました（すべての窓口）');
    ({ body } = await api(console_.url, 'admin-watanabe', 'GET', '/api/users/skills'));
    assert.equal(Object.keys(body.skills).length, 0, JSON.stringify(body));
  });

  test('a line’s queue and a menu option’s queue are chosen from the queues', async () => {
    const lines = admin.locator('#section-lines');
    await lines.scrollIntoViewIfNeeded();
    const lineQueue = lines.getByLabel('窓口 1', { exact: true });
    assert.equal(await lineQueue.inputValue(), '', 'the first queue by default');
    await lineQueue.selectOption('billing');
    await admin.click('#save-lines');
    await textContains(admin.locator('#message-lines'), '保存しました');

    const menu = admin.locator('#section-menu');
    await menu.scrollIntoViewIfNeeded();
    await menu.locator('#ivr-enabled').check();
    await menu.locator('#ivr-greeting').fill('お電話ありがとうございます。');
    await menu.locator('#ivr-action-0-queue').selectOption('general');
    await textContains(menu.locator('#ivr-prompts'), '[1] → オペレーターにおつなぎします（総合窓口）');
    await admin.click('#save-menu');
    await textContains(admin.locator('#message-menu'), '保存しました');
    await shot(menu, '22-admin-menu-queue');
    const { body } = await api(console_.url, 'admin-watanabe', 'GET', '/api/settings');
    assert.equal(body.lines[0].queue, 'billing');
    assert.deepEqual(body.menu[body.lines[0].id].options[0].action, { action: 'queue', queue: 'general' });
  });

  test('the supervisors’ board shows a row per queue', async () => {
    await admin.goto(`${console_.url}/monitor`);
    const rows = admin.locator('#mon-queues tbody tr');
    await textContains(rows.nth(0), '総合窓口');
    await textContains(rows.nth(1), '料金窓口');
    assert.equal(await rows.count(), 2);
    await textContains(rows.nth(1).locator('.mon-queue-waiting'), '0件');
    await shot(admin.locator('#mon-queue'), '22-monitor-queues');
  });
});
