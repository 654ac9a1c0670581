// User management in Chromium (the admin page's ユーザー管理): the admin invites a user (a
// malformed address is explained beside the field), changes a role, pages through a long list,
// and disables a user, who can then not sign in on the sign-in page and gets no Voice token with
// the token they already had; enabling them lets them back in.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, eventually, launchBrowser, newPage, shot, signIn, startConsole, textContains, token } from './harness.mjs';

describe('user management', { timeout: 180_000 }, () => {
  let console_;
  let browser;
  let admin;
  let section;

  before(async () => {
    console_ = await startConsole();
    browser = await launchBrowser();
    admin = await newPage(browser);
    await signIn(admin, console_.url, 'admin-watanabe', '/admin');
    section = admin.locator('#section-users');
  });

  after(async () => {
    await browser?.close();
    await console_?.stop();
  });

  const row = (text) => section.locator('#users-table tbody tr', { hasText: text });

  test('the admin reaches ユーザー管理 from the admin page and sees every user with role, status and access', async () => {
    await admin.click('#admin-users');
    await textContains(admin.locator('#section-users-title'), 'ユーザー管理');
    await textContains(section, 'ロールの変更は、そのユーザーが次にサインインしたときから有効になります');
    await textContains(row('佐藤 花子'), 'op-sato@example.jp');
    assert.equal(await section.locator('#users-table tbody tr').count(), 6);
    await textContains(row('渡辺 由美'), '（自分）');
    assert.equal(await row('渡辺 由美').locator('.user-toggle').count(), 0, 'no 無効化 on the admin’s own row');
    assert.ok(await row('渡辺 由美').locator('select').isDisabled(), 'nor a role change');
    await textContains(row('伊藤 直樹'), 'スーパーバイザー');
    await textContains(row('佐藤 花子'), '登録済み');
    await textContains(row('佐藤 花子'), '有効');
    await shot(admin, '8-users');
  });

  test('a malformed address is explained beside the field, and the corrected invitation lists the user as invited', async () => {
    await admin.fill('#invite-email', 'kobayashi.example.jp');
    await admin.fill('#invite-name', '小林 さくら');
    await admin.selectOption('#invite-role', 'operator');
    await admin.click('#invite-submit');
    await textContains(admin.locator('#invite-email-error'), 'メールアドレスの形式が正しくありません');
    assert.equal(await admin.locator('#invite-email').getAttribute('aria-invalid'), 'true');
    assert.equal(await admin.locator('#invite-name-error').textContent(), '', 'only the address is wrong');
    await shot(admin.locator('#users-invite'), '8-users-invite-422');

    await admin.fill('#invite-email', 'kobayashi@example.jp');
    await admin.click('#invite-submit');
    await textContains(admin.locator('#invite-message'), '小林 さくら さん（kobayashi@example.jp）を招待しました');
    assert.equal(await admin.locator('#invite-email-error').textContent(), '');
    await textContains(row('kobayashi@example.jp'), '招待済み（初回サインイン前）');
    await textContains(row('kobayashi@example.jp'), 'オペレータ');

    await admin.fill('#invite-email', 'kobayashi@example.jp');
    await admin.fill('#invite-name', '小林 別人');
    await admin.click('#invite-submit');
    await textContains(admin.locator('#invite-email-error'), 'すでに登録されています');
  });

  test('a role change is saved and said to apply from the next sign-in', async () => {
    await row('kobayashi@example.jp').getByLabel('小林 さくら のロール').selectOption('supervisor');
    await textContains(admin.locator('#users-message'), '小林 さくら さんのロールを「スーパーバイザー」に変更しました。次回のサインインから有効になります。');
    const { body } = await api(console_.url, 'admin-watanabe', 'GET', '/api/users');
    const kobayashi = body.users.find((u) => u.email === 'kobayashi@example.jp');
    assert.equal(kobayashi.role, 'supervisor');
    const signedIn = await fetch(`${console_.url}/api/dev/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: kobayashi.id }),
    }).then((r) => r.json());
    assert.equal(signedIn.user.role, 'supervisor', 'the next sign-in carries the new role');
  });

  test('a disabled user cannot sign in and gets no Voice token, until enabled again', async () => {
    const before = await token(console_.url, 'op-tanaka');
    const voice = (t) => fetch(`${console_.url}/api/token`, { headers: { authorization: `Bearer ${t}` } });
    assert.equal((await voice(before)).status, 200);

    await row('田中 健太').locator('.user-toggle').click();
    const dialog = admin.locator('#users-confirm');
    await textContains(dialog, '田中 健太（op-tanaka@example.jp）を無効化します');
    await textContains(dialog, '通話中であれば、その通話は切断されません');
    await shot(dialog, '8-users-disable-confirm');
    await admin.click('#users-confirm-ok');
    await textContains(admin.locator('#users-message'), '田中 健太 さんを無効化しました');
    await textContains(row('田中 健太'), '無効');
    await textContains(row('田中 健太').locator('.user-toggle'), '有効化');
    await shot(admin, '8-users-disabled');

    const tanaka = await newPage(browser);
    await tanaka.goto(console_.url);
    await tanaka.locator('button[data-user="op-tanaka"]').click();
    await textContains(tanaka.locator('[role="alert"]'), 'このユーザーは管理者によって無効化されているため、サインインできません');
    assert.equal(await tanaka.locator('#operator').count(), 0, 'not signed in');
    await shot(tanaka, '8-users-disabled-sign-in');

    const refused = await voice(before);
    assert.equal(refused.status, 403, 'the token from before gets no Voice token');
    assert.match((await refused.json()).error.message, /disabled/);
    const status = await fetch(`${console_.url}/api/operators/me/status`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${before}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'available' }),
    });
    assert.equal(status.status, 403, 'nor may they make themselves available');

    await row('田中 健太').locator('.user-toggle').click();
    await textContains(admin.locator('#users-confirm'), '再びサインインできるようになります');
    await admin.click('#users-confirm-ok');
    await textContains(admin.locator('#users-message'), '田中 健太 さんを有効化しました');
    await tanaka.locator('button[data-user="op-tanaka"]').click();
    await tanaka.locator('#operator').waitFor();
    assert.equal((await voice(await token(console_.url, 'op-tanaka'))).status, 200);
    await tanaka.context().close();
  });

  test('a long list is paged with 次へ', async () => {
    for (let n = 0; n < 60; n += 1) {
      const { status } = await api(console_.url, 'admin-watanabe', 'POST', '/api/users', {
        email: `staff${String(n).padStart(2, '0')}@example.jp`,
        name: `スタッフ ${n}`,
        role: 'operator',
      });
      assert.equal(status, 201);
    }
    await admin.reload();
    await admin.locator('#section-users').waitFor();
    const rows = section.locator('#users-table tbody tr');
    await textContains(admin.locator('#users-page'), '1 ページ目');
    await eventually(async () => (await rows.count()) === 60, 10_000, 'a full first page');
    await admin.click('#users-next');
    await textContains(admin.locator('#users-page'), '2 ページ目');
    await eventually(async () => (await rows.count()) === 7, 10_000, '67 users: 60, then 7');
    await textContains(section.locator('#users-table tbody'), 'staff');
    assert.ok(await admin.locator('#users-next').isDisabled(), 'no page after the last');
    await admin.click('#users-first');
    await textContains(admin.locator('#users-page'), '1 ページ目');
    assert.deepEqual(admin.errors, []);
  });
});
