// A call's recording played from 対応履歴 in Chromium: a customer calls the recorded main line,
// Sato answers and hangs up; a supervisor looks the number up, presses 再生 on the call's row,
// and the recording plays from the simulator's copy through the console's link (206 Partial
// Content), then seeks: the player asks for a range from where it jumped and plays on from
// there. Sato herself is refused with the reason while operators may not play recordings, and
// plays her own call's once the admin allows it; the admin page sets both recording settings.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, eventually, launchBrowser, newPage, setStatus, shot, signIn, simRequest, simUntil, startConsole, textContains } from './harness.mjs';

const YAMADA = '03-1234-5678';
const YAMADA_E164 = '+81312345678';

describe('recordings played from 対応履歴', { timeout: 180_000 }, () => {
  let console_;
  let browser;
  let sato;
  let sid;

  const sim = (method, path, body) => simRequest(console_.url, method, path, body);
  const simWait = (condition) => simUntil(console_.url, condition);

  async function handling(change) {
    const settings = await api(console_.url, 'admin-watanabe', 'GET', '/api/settings');
    const put = await api(console_.url, 'admin-watanabe', 'PUT', '/api/settings/call_handling', {
      version: settings.body.versions.call_handling ?? 0,
      value: { ...settings.body.call_handling, ...change },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
  }

  /** Looks the caller's number up on `page` and shows its calls in 対応履歴; the call's row. */
  async function historyRow(page) {
    await page.fill('#customer-phone', YAMADA);
    await page.keyboard.press('Enter');
    await textContains(page.locator('#customer-account'), '山田商事株式会社');
    await page.click('#history-tab-calls');
    const row = page.locator('#history-panel tbody tr').first();
    await row.waitFor();
    return row;
  }

  before(async () => {
    console_ = await startConsole();
    await handling({ wrap_up_seconds: 0 });
    browser = await launchBrowser();
    sato = await newPage(browser);
    await signIn(sato, console_.url, 'op-sato');
    await sato.locator('#call-status.call-idle').waitFor();

    // A customer calls the recorded main line; Sato answers, talks a moment and hangs up.
    await setStatus(sato, 'available');
    const started = await sim('POST', '/sim/calls', { from: YAMADA });
    sid = started.body.sid;
    await sato.locator('#incoming-dialog').waitFor();
    await sato.click('#incoming-accept');
    await simWait({ conference: sid, labels: ['customer', 'operator'], settled: true });
    await textContains(sato.locator('#call-badge'), '通話中');
    await sato.click('#op-hangUp');
    await simWait({ call: sid, status: 'completed', settled: true });
    await sato.locator('#call-status.call-idle').waitFor();
    // Twilio's recording callback says the recording is done.
    await eventually(async () => {
      const { body } = await api(console_.url, 'sv-ito', 'GET', `/api/history/calls?phone=${encodeURIComponent(YAMADA_E164)}`);
      return body.items.find((r) => r.sid === sid && r.recording_url);
    }, 15_000, 'the call’s recording to be done');
  });

  after(async () => {
    await browser?.close();
    await console_?.stop();
  });

  test('a supervisor plays the call’s recording from 対応履歴 and seeks in it; each part is a 206 range answer', async () => {
    const sv = await newPage(browser);
    const media = [];
    sv.on('response', (res) => {
      if (res.url().includes('/api/media/recordings/')) {
        media.push({ status: res.status(), range: res.request().headers().range ?? null, contentRange: res.headers()['content-range'] ?? null });
      }
    });
    await signIn(sv, console_.url, 'sv-ito');
    const row = await historyRow(sv);
    await textContains(row, '再生');
    await row.locator('.recording-play').click();

    const audio = sv.locator('#history-panel audio.recording-audio');
    await audio.waitFor();
    // It plays: the position moves on.
    await eventually(async () => (await audio.evaluate((a) => a.currentTime)) > 0.5, 10_000, 'the recording to play');
    const duration = await audio.evaluate((a) => a.duration);
    assert.ok(duration >= 15, `a recording long enough to seek in (${duration}s)`);
    // Clicking the player did not open the call in the detail.
    assert.equal(await sv.locator('#history-panel tr.current').count(), 0);
    await shot(sv.locator('#region-history'), '26-recording-playing');

    // Seeking far ahead: the player jumps there and plays on.
    const target = Math.floor(duration) - 5;
    const seeked = audio.evaluate((a, t) => new Promise((resolve) => {
      a.addEventListener('seeked', () => resolve(a.currentTime), { once: true });
      a.currentTime = t;
    }), target);
    const at = await seeked;
    assert.ok(Math.abs(at - target) < 1, `seeked to ${at}, asked ${target}`);
    await eventually(async () => (await audio.evaluate((a) => a.currentTime)) > target + 0.5, 10_000, 'playing on after the seek');
    await shot(sv.locator('#region-history'), '26-recording-seeked');

    assert.ok(media.length > 0, 'the player fetched the link');
    assert.ok(media.every((m) => m.status === 206 || m.status === 200), JSON.stringify(media));
    assert.ok(media.some((m) => m.status === 206 && /^bytes \d+-\d+\/\d+$/.test(m.contentRange ?? '')), JSON.stringify(media));
    assert.deepEqual(sv.errors, []);

    // Who listened is in the audit log, through the API as the page's callers see it: the link
    // was made for sv-ito (a second one for the same call works as well).
    const again = await api(console_.url, 'sv-ito', 'POST', `/api/calls/${sid}/recording/link`);
    assert.equal(again.status, 200);
    assert.match(again.body.url, /^\/api\/media\/recordings\/[0-9a-f]{32}$/);
    await sv.context().close();
  });

  test('an operator is refused with the reason until the admin lets operators play their own calls', async () => {
    const refused = await api(console_.url, 'op-sato', 'POST', `/api/calls/${sid}/recording/link`);
    assert.equal(refused.status, 403);
    assert.match(refused.body.error.message, /スーパーバイザーと管理者/);
    // The operator's 対応履歴 offers no 再生 while they may not play it.
    let row = await historyRow(sato);
    await textContains(row, '佐藤 花子');
    assert.equal(await row.locator('.recording-play').count(), 0);

    await handling({ operators_play_own_recordings: true });
    await sato.reload();
    await sato.locator('#call-status.call-idle').waitFor();
    row = await historyRow(sato);
    await row.locator('.recording-play').click();
    const audio = sato.locator('#history-panel audio.recording-audio');
    await eventually(async () => (await audio.evaluate((a) => a.currentTime)) > 0.3, 10_000, 'Sato’s own call to play');
    await shot(sato.locator('#region-history'), '26-recording-own-call');
    await handling({ operators_play_own_recordings: false });
  });

  test('the admin sets how long recordings are kept and whether operators may play their own; a retention over ten years is refused in Japanese', async () => {
    const admin = await newPage(browser);
    await signIn(admin, console_.url, 'admin-watanabe', '/admin');
    const section = admin.locator('#section-call_handling');
    assert.equal(await admin.inputValue('#ch-recording_retention_days'), '90');
    assert.equal(await admin.isChecked('#ch-operators_play_own_recordings'), false);
    await admin.fill('#ch-recording_retention_days', '5000');
    await admin.click('#save-call_handling');
    await textContains(admin.locator('#message-call_handling'), '録音の保存期間は0〜3650日で指定してください');
    await admin.fill('#ch-recording_retention_days', '30');
    await admin.check('#ch-operators_play_own_recordings');
    await admin.click('#save-call_handling');
    await eventually(async () => {
      const { body } = await api(console_.url, 'admin-watanabe', 'GET', '/api/settings');
      return body.call_handling.recording_retention_days === 30 && body.call_handling.operators_play_own_recordings === true;
    }, 8000, 'the settings saved');
    await shot(section, '26-recording-settings');
    await admin.context().close();
    await handling({ recording_retention_days: 90, operators_play_own_recordings: false });
  });
});
