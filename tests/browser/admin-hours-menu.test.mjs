// 営業時間 and IVRメニュー on the admin page in Chromium: the admin sets a line's hours and sees
// what they mean now and the next national holidays; a forward to a barred number is refused with
// the API's Japanese reason and saved once fixed; the admin builds a menu with a sub-menu and sees
// every prompt the caller hears, in order (a queue said by its name, not its id), then saves it
// and the API has it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, eventually, launchBrowser, newPage, shot, signIn, startConsole, textContains } from './harness.mjs';

describe('business hours and the IVR menu on the admin page', { timeout: 180_000 }, () => {
  let console_;
  let browser;
  let admin;

  before(async () => {
    console_ = await startConsole();
    // Two queues (窓口), so a menu option may name one.
    const queues = await api(console_.url, 'admin-watanabe', 'PUT', '/api/settings/queues', {
      version: 0,
      value: [
        { id: 'general', name: '総合窓口' },
        { id: 'billing', name: '料金窓口', name_en: 'Billing' },
      ],
    });
    assert.equal(queues.status, 200, JSON.stringify(queues.body));
    browser = await launchBrowser();
    admin = await newPage(browser);
    await signIn(admin, console_.url, 'admin-watanabe', '/admin');
  });

  after(async () => {
    await browser?.close();
    await console_?.stop();
  });

  test('the hours of a line: a schedule, closed days, a forward refused then saved, and what they mean now', async () => {
    const section = admin.locator('#section-hours');
    await section.scrollIntoViewIfNeeded();
    await section.locator('#hours-enabled').check();
    // Weekdays 9:00–18:00 to start with, and a preview of now from the server.
    assert.equal(await section.getByLabel('月 1 開始', { exact: true }).inputValue(), '09:00');
    const now = section.locator('#hours-now');
    await eventually(async () => /^現在: (営業中（\d{1,2}:\d\dまで）|休業中（次の営業開始: \d{1,2}\/\d{1,2} \d{1,2}:\d\d）)/.test(await now.innerText()), 10_000, 'the preview of now');
    const holidays = section.locator('#hours-holidays li');
    await eventually(async () => (await holidays.count()) === 5, 10_000, 'five holidays listed');
    for (const h of await holidays.allTextContents()) assert.match(h, /^\d{4}\/\d{1,2}\/\d{1,2}（[月火水木金土日]） \S+/, h);

    // Saturday mornings open; a training day closed once.
    await section.locator('#hours-sat button', { hasText: '＋ 時間帯' }).click();
    await section.getByLabel('土 1 終了', { exact: true }).fill('12:00');
    await section.locator('#hours-add-closed-day').click();
    await section.getByLabel('開始日 2', { exact: true }).fill('2026-12-25');
    await section.getByLabel('名前 2', { exact: true }).fill('社内研修');

    // A forward to a country operators may not call is refused with the reason.
    await section.locator('#hours-when-closed').selectOption('forward');
    await section.locator('#hours-closed-number').fill('+12125550123');
    await admin.click('#save-hours');
    const message = admin.locator('#message-hours');
    await textContains(message, '設定内容に誤りがあります');
    await textContains(message, '休業時の転送先');
    await textContains(message, '発信が許可されていない国');
    await shot(section, '21-admin-hours-refused');

    await section.locator('#hours-closed-number').fill('+81312345678');
    await admin.click('#save-hours');
    await textContains(message, '保存しました（版 1）');
    await section.scrollIntoViewIfNeeded();
    await shot(section, '21-admin-hours');

    const { body } = await api(console_.url, 'admin-watanabe', 'GET', '/api/settings');
    const main = body.hours.main;
    assert.deepEqual(main.weekly.sat, [{ start: '09:00', end: '12:00' }]);
    assert.deepEqual(main.closed_days[1], { from: '2026-12-25', label: '社内研修' });
    assert.deepEqual(main.when_closed, { action: 'forward', number: '+81312345678' });
    assert.equal(main.closed_on_holidays, true);
  });

  test('an IVR menu with a sub-menu: the caller’s prompts in order, saved', async () => {
    const section = admin.locator('#section-menu');
    await section.scrollIntoViewIfNeeded();
    await section.locator('#ivr-enabled').check();
    await section.locator('#ivr-greeting').fill('お電話ありがとうございます。サンプル商事サポートセンターです。');
    await section.getByLabel('ID 1', { exact: true }).fill('billing');
    await section.getByLabel('内容 1', { exact: true }).fill('料金のお問い合わせ');
    await section.locator('#ivr-action-0-queue').selectOption('billing');
    await section.locator('#ivr-add').click();
    await section.getByLabel('ID 2', { exact: true }).fill('repair');
    await section.getByLabel('内容 2', { exact: true }).fill('修理のご依頼');
    await section.locator('#ivr-action-1').selectOption('submenu');
    await section.locator('#ivr-greeting-1').fill('修理のご依頼ですね。');
    await section.locator('#ivr-label-1-0').fill('新しいご依頼');
    await section.locator('#ivr-default').selectOption('message');
    await section.getByLabel('選択がなかったとき メッセージ', { exact: true }).fill('恐れ入りますが、おかけ直しください。');

    const prompts = section.locator('#ivr-prompts li');
    const expected = [
      'お電話ありがとうございます。サンプル商事サポートセンターです。',
      '料金のお問い合わせは1を、修理のご依頼は2を押してください。',
      '[1] → オペレーターにおつなぎします（料金窓口）',
      '[2] 修理のご依頼ですね。',
      '[2] 新しいご依頼は1を押してください。',
      '[2] [1] → オペレーターにおつなぎします（回線の窓口）',
      '[2] [—] → オペレーターにおつなぎします（回線の窓口）',
      '[—] 恐れ入りますが、おかけ直しください。 → 通話終了',
    ];
    await eventually(async () => JSON.stringify(await prompts.allTextContents()) === JSON.stringify(expected), 10_000, `the prompts ${expected}`);

    // The same key twice is refused by the preview and by the save, in Japanese.
    await section.locator('#ivr-key-1').selectOption('1');
    await textContains(section.locator('#ivr-preview'), 'キー 1 が2つの選択肢で使われています');
    await section.locator('#ivr-key-1').selectOption('2');
    await eventually(async () => (await prompts.count()) === expected.length, 10_000, 'the preview back');

    await admin.click('#save-menu');
    await textContains(admin.locator('#message-menu'), '保存しました（版 1）');
    await shot(section, '21-admin-menu');
    const { body } = await api(console_.url, 'admin-watanabe', 'GET', '/api/settings');
    const menu = body.menu.main;
    assert.deepEqual(menu.options[0].action, { action: 'queue', queue: 'billing' }, 'the queue is saved by its id');
    assert.equal(menu.options[1].action.action, 'submenu');
    assert.equal(menu.options[1].action.menu.options[0].label, '新しいご依頼');
    assert.deepEqual(menu.default, { action: 'message', text: '恐れ入りますが、おかけ直しください。' });
  });
});
