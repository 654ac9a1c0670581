// The operator screen's dialogs opened on a click are fetched on demand (their chunks are not part
// of the first load). When a dialog's chunk cannot be fetched, opening it shows a dialog saying so
// in Japanese with 再試行, never a blank, and 再試行 opens the real dialog once the network is
// back. The shortcuts' help (opened with ?) is the dialog under test: its chunk request fails
// until the test lets it through.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, newPage, shot, signIn, startConsole, textContains } from './harness.mjs';

describe('a dialog whose chunk cannot be fetched', { timeout: 120_000 }, () => {
  let c;
  let browser;
  let page;
  let failing = true;
  const requested = [];

  before(async () => {
    c = await startConsole();
    browser = await launchBrowser();
    page = await newPage(browser);
    await page.route(/\/assets\/ShortcutsHelp-[^/]*\.js$/, (route) => {
      requested.push(failing ? 'failed' : 'served');
      return failing ? route.abort('internetdisconnected') : route.continue();
    });
    await signIn(page, c.url, 'op-sato');
  });

  after(async () => {
    await browser?.close();
    await c?.stop();
  });

  test('says so in Japanese with 再試行, which opens the dialog once the network is back', async () => {
    await page.locator('#operator').waitFor();
    // The screen preloads its dialogs when idle: that attempt fails too, quietly.
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('?');
    const failed = page.locator('#shortcut-help-loading');
    await failed.waitFor();
    await textContains(failed, '読み込めませんでした');
    await textContains(failed, 'ネットワークの接続を確かめて、再試行してください。');
    assert.equal(await page.locator('#shortcut-help').count(), 0, 'no help before its chunk is here');
    assert.ok(requested.length >= 1 && requested.every((r) => r === 'failed'), requested.join());
    await shot(failed, 'lazy-dialog-failed');

    failing = false;
    await failed.getByRole('button', { name: '再試行' }).click();
    const help = page.locator('#shortcut-help');
    await help.waitFor();
    await textContains(help, 'ミュート / ミュート解除');
    await failed.waitFor({ state: 'detached' });
    assert.equal(requested.at(-1), 'served');
    await shot(help, 'lazy-dialog-retried');

    // Closed and opened again, it is there at once (no further request).
    const count = requested.length;
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden' });
    await page.keyboard.press('?');
    await help.waitFor();
    assert.equal(requested.length, count);
    assert.deepEqual(page.errors, []);
  });
});
