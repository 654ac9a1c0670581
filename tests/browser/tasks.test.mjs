// The operator's task list (タスク) in Chromium against the local runtime: the main line is closed
// with its voicemail box (営業時間), and a customer on file leaves a message in Japanese through
// the simulator; two operators open their task lists,
// the message is there with its transcript and the caller's line; choosing it pops the customer
// up from the CRM, whose 対応履歴 lists the message as 留守番電話 with its transcript (no call was
// recorded while the line was closed); both press 対応する at once and only one gets it (the other is told another
// operator has it); the holder plays the recording (through a link, by range, seeking), finishes
// the task (it moves to 完了済み) and
// undoes it. The tests wait on the page, never on the clock.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, eventually, launchBrowser, newPage, shot, signIn, simRequest, simUntil, startConsole, textContains } from './harness.mjs';

const MAIN = '+81368000001';
const CUSTOMER = '03-1234-5678';

/** Closes the main line for good with its voicemail box, as an admin does in 営業時間. */
async function closeToVoicemail(c) {
  const current = await api(c.url, 'admin-watanabe', 'GET', '/api/settings');
  assert.equal(current.status, 200, JSON.stringify(current.body));
  const hours = {
    main: {
      weekly: {},
      closed_on_holidays: true,
      closed_days: [],
      when_closed: { action: 'voicemail', greeting: 'お電話ありがとうございます。本日の受付は終了いたしました。' },
    },
  };
  const r = await api(c.url, 'admin-watanabe', 'PUT', '/api/settings/hours', { version: current.body.versions.hours ?? 0, value: hours });
  assert.equal(r.status, 200, JSON.stringify(r.body));
}

describe('the operator task list', { timeout: 180_000 }, () => {
  let c;
  let browser;
  let sato;
  let suzuki;
  let callSid;

  before(async () => {
    c = await startConsole();
    browser = await launchBrowser();
    await closeToVoicemail(c);
    const started = await simRequest(c.url, 'POST', '/sim/calls', { from: CUSTOMER, to: MAIN });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    callSid = started.body.sid;
    await simUntil(c.url, { call: callSid, heard: 'ピー' });
    for (const text of ['山田商事の山田です。', '見積書の件で折り返しお電話ください。']) {
      const r = await simRequest(c.url, 'POST', `/sim/calls/${callSid}/speak`, { text });
      assert.equal(r.status, 204, JSON.stringify(r.body));
    }
    await simRequest(c.url, 'POST', `/sim/calls/${callSid}/hangup`);
    await simUntil(c.url, { call: callSid, status: 'completed', settled: true });
    await eventually(async () => (await api(c.url, 'op-sato', 'GET', '/api/calls/tasks')).body?.tasks?.length === 1, 10_000, 'the task');
    sato = await newPage(browser);
    suzuki = await newPage(browser);
    await signIn(sato, c.url, 'op-sato');
    await signIn(suzuki, c.url, 'op-suzuki');
  });

  after(async () => {
    await browser?.close();
    await c?.stop();
  });

  test('the voicemail is listed with its transcript and pops the caller up from the CRM', async () => {
    for (const p of [sato, suzuki]) {
      await p.click('#op-tasks');
      await p.locator('#tasks-dialog[open]').waitFor();
      await p.locator(`#tasks-list [data-task="${callSid}"]`).click();
    }
    await textContains(sato.locator('#tasks-tab-open'), '未完了 1件');
    await textContains(sato.locator('#task-transcript'), '山田商事の山田です。見積書の件で折り返しお電話ください。');
    await textContains(sato.locator('#task-detail'), '代表番号');
    await textContains(sato.locator('#task-caller'), '山田');
    await textContains(sato.locator('#task-state'), '未対応');
    await shot(sato, 'tasks-voicemail-listed');

    // The popped-up caller's 対応履歴 lists the message among their calls.
    const row = sato.locator('#region-history .calls-table tbody tr', { hasText: '留守番電話' });
    await textContains(row, '山田商事の山田です。見積書の件で折り返しお電話ください。');
    await textContains(row, '未対応');
    assert.equal(await row.count(), 1, 'listed once');
    assert.equal(await row.locator('td').nth(3).textContent(), '—', 'no talk time: nobody answered');
    await sato.keyboard.press('Escape');
    await shot(sato, 'tasks-voicemail-in-history');
    await sato.click('#op-tasks');
    await sato.locator('#tasks-dialog[open]').waitFor();
    await sato.locator(`#tasks-list [data-task="${callSid}"]`).click();
  });

  test('two operators take it at once: one gets it, the other is told', async () => {
    await Promise.all([sato.click('#task-take'), suzuki.click('#task-take')]);
    const outcome = async (p) => {
      const error = await p.locator('#tasks-error').textContent().catch(() => null);
      const mine = (await p.locator('#task-done').count()) > 0;
      return mine ? 'took' : error ? 'refused' : null;
    };
    const [a, b] = await eventually(async () => {
      const both = [await outcome(sato), await outcome(suzuki)];
      return both.every(Boolean) ? both : null;
    }, 10_000, 'both pages to settle');
    assert.deepEqual([a, b].sort(), ['refused', 'took'], `sato ${a}, suzuki ${b}`);
    const [winner, loser] = a === 'took' ? [sato, suzuki] : [suzuki, sato];
    await textContains(loser.locator('#tasks-error'), 'ほかのオペレータが対応中です');
    await textContains(loser.locator('#task-state'), 'が対応中');
    assert.equal(await loser.locator('#task-take').count(), 0, 'the loser cannot take it any more');
    await shot(loser, 'tasks-taken-by-another');

    const media = winner.waitForResponse((r) => r.url().includes('/api/media/recordings/'));
    // What the audit log counts as plays: the player's requests from the first byte.
    const fromStart = [];
    winner.on('request', (r) => {
      if (!r.url().includes('/api/media/recordings/')) return;
      const range = r.headers().range;
      if (!range || /^bytes=0-(\d{3,})?$/.test(range)) fromStart.push(range ?? 'none');
    });
    await winner.click('#task-play');
    const audio = winner.locator('#task-audio');
    await audio.waitFor();
    const duration = await eventually(async () => {
      const d = await audio.evaluate((el) => el.duration);
      return Number.isFinite(d) && d > 0 ? d : null;
    }, 10_000, 'the recording to load');
    assert.ok(duration >= 1, `a recording of ${duration} s`);
    // It plays through a short-lived link served by range, like a call's recording, and seeks.
    assert.match(await audio.evaluate((el) => el.currentSrc), /\/api\/media\/recordings\/[^/]+$/);
    const part = await media;
    assert.equal(part.status(), 206, 'a part asked by range');
    assert.match(part.headers()['content-range'] ?? '', /^bytes 0-\d+\/\d+$/);
    await audio.evaluate((el) => {
      el.currentTime = el.duration / 2;
    });
    await eventually(async () => ((await audio.evaluate((el) => el.currentTime)) >= duration / 2 - 0.5 ? true : null), 5000, 'the player to seek');
    assert.deepEqual(fromStart, ['bytes=0-'], 'one play, one request from the start (one listening audited)');
    await shot(winner, 'tasks-holder-plays-recording');

    await winner.click('#task-done');
    await textContains(winner.locator('#tasks-tab-open'), '未完了 0件');
    await winner.click('#tasks-tab-done');
    await winner.locator(`#tasks-list [data-task="${callSid}"]`).click();
    await textContains(winner.locator('#task-state'), 'が完了');
    await shot(winner, 'tasks-done');
    await winner.click('#task-undo');
    await winner.click('#tasks-tab-open');
    await textContains(winner.locator('#tasks-tab-open'), '未完了 1件');
    for (const p of [sato, suzuki]) assert.deepEqual(p.errors, []);
  });
});
