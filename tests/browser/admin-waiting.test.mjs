// The admin page's 待ち受け音・折り返し section in Chromium: a mistake is refused with the
// server's Japanese explanation of what to fix; valid values (a callback offer after 60 s, the
// main line's wait music from the page's bucket and its hold music from a URL) are saved and
// read back. A hold music WAV uploaded from the section lands in the page's bucket (locally the
// runtime's uploads folder), is saved as the line's hold audio and is served back at the page's
// base URL; a file that is not audio is refused before anything is sent.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  test('a WAV uploaded as hold music is saved and served back at the page URL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hold-music-'));
    try {
      const wav = join(dir, 'hold.wav');
      const bytes = wavOfSilence(8000);
      writeFileSync(wav, bytes);
      const notAudio = join(dir, 'notes.txt');
      writeFileSync(notAudio, 'not audio');
      const section = admin.locator('#section-waiting');
      await section.scrollIntoViewIfNeeded();

      // a text file is refused before anything is sent
      await admin.setInputFiles('#waiting-main-wait-file', notAudio);
      await textContains(admin.locator('#waiting-main-wait-upload-status'), 'MP3かWAVの音声ファイルを選んでください');

      // the WAV is uploaded and the line's hold audio names it
      await admin.setInputFiles('#waiting-main-hold-file', wav);
      await textContains(admin.locator('#waiting-main-hold-upload-status'), '「hold.wav」をアップロードしました。保存すると使われます。');
      assert.equal(await admin.inputValue('#waiting-main-hold-source'), 'bucket');
      const path = await admin.inputValue('#waiting-main-hold-value');
      assert.match(path, /^music\/[0-9a-f-]{36}-hold\.wav$/);
      await shot(section, 'admin-waiting-uploaded');

      await admin.click('#save-waiting');
      await textContains(section, '保存しました');
      const saved = await api(c.url, 'admin-watanabe', 'GET', '/api/settings');
      assert.deepEqual(saved.body.waiting.music.main.hold, { source: 'bucket', path });

      // served back at the page's base URL, byte for byte
      const served = await fetch(`${c.url}/${path}`);
      assert.equal(served.status, 200);
      assert.deepEqual(Buffer.from(await served.arrayBuffer()), bytes);
      assert.deepEqual(admin.errors, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A mono 8 kHz 16-bit WAV of `samples` samples of silence. */
function wavOfSilence(samples) {
  const data = samples * 2;
  const b = Buffer.alloc(44 + data);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + data, 4);
  b.write('WAVE', 8);
  b.write('fmt ', 12);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(8000, 24);
  b.writeUInt32LE(16000, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36);
  b.writeUInt32LE(data, 40);
  return b;
}
