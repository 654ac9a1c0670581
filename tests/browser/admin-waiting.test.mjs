// The admin page's 待ち受け音・折り返し section in Chromium: a mistake is refused with the
// server's Japanese explanation of what to fix; valid values (a callback offer after 60 s, the
// main line's wait music from the page's bucket and its hold music from a URL) are saved and
// read back.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, launchBrowser, newPage, shot, signIn, startConsole, textContains } from './harness.mjs';

describe('the wait music and callback section', { timeout: 120_000 }, () => {
  let c;
  let browser;
  let admin;

  before(async () => {
    c = await startConsole();
    browser = await launchBrowser();
    admin = await newPage(browser);
    await signIn(admin, c.url, 'admin-watanabe', '/admin');
  });

  after(async () => {
    await browser?.close();
    await c?.stop();
  });

  test('a mistake is explained in Japanese; valid music and offer are saved', async () => {
    const section = admin.locator('#section-waiting');
    await section.scrollIntoViewIfNeeded();
    await admin.fill('#waiting-callback', '5');
    await admin.selectOption('#waiting-main-wait-source', 'url');
    await admin.fill('#waiting-main-wait-value', 'http://example.jp/wait.mp3');
    await admin.click('#save-waiting');
    await textContains(section, '10〜3,600秒');
    await shot(section, 'admin-waiting-refused');

    await admin.fill('#waiting-callback', '60');
    await admin.click('#save-waiting');
    await textContains(section, 'https:// で始まる');

    await admin.selectOption('#waiting-main-wait-source', 'bucket');
    await admin.fill('#waiting-main-wait-value', 'music/wait.mp3');
    await admin.selectOption('#waiting-main-hold-source', 'url');
    await admin.fill('#waiting-main-hold-value', 'https://cdn.example.jp/hold.mp3');
    await admin.click('#save-waiting');
    await textContains(section, '保存しました');
    await shot(section, 'admin-waiting-saved');
    const saved = await api(c.url, 'admin-watanabe', 'GET', '/api/settings');
    assert.deepEqual(saved.body.waiting, {
      callback_after_seconds: 60,
      music: { main: { wait: { source: 'bucket', path: 'music/wait.mp3' }, hold: { source: 'url', url: 'https://cdn.example.jp/hold.mp3' } } },
    });
    assert.deepEqual(admin.errors, []);
  });
});
