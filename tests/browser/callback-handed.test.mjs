// A callback request handed to an operator in its caller's place, in Chromium against the local
// runtime: with nobody free, a waiting caller offered a callback presses 1 and hangs up; Sato,
// signed in on the operator page, becomes 受付可 and routing hands her the callback instead of
// leaving it in the list: the page says so, she is 離席 to dial, and the task list opens with the
// request taken by her (the caller and 折り返し).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, eventually, launchBrowser, newPage, shot, signIn, simRequest, simUntil, startConsole, textContains } from './harness.mjs';

const MAIN = '+81368000001';

describe('a callback request handed in its caller’s place', { timeout: 180_000 }, () => {
  let c;
  let browser;
  let sato;
  let sid;

  before(async () => {
    c = await startConsole();
    browser = await launchBrowser();
    const waiting = await api(c.url, 'admin-watanabe', 'PUT', '/api/settings/waiting', { version: 0, value: { callback_after_seconds: 10 } });
    assert.equal(waiting.status, 200, JSON.stringify(waiting.body));
    const started = await simRequest(c.url, 'POST', '/sim/calls', { from: '090-1111-2222', to: MAIN, choices: [{ digits: '1' }] });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    sid = started.body.sid;
    await simUntil(c.url, { call: sid, status: 'completed', heard: '折り返しお電話いたします', settled: true, timeout_ms: 90_000 });
    sato = await newPage(browser);
    await signIn(sato, c.url, 'op-sato');
  });

  after(async () => {
    await browser?.close();
    await c?.stop();
  });

  test('Sato becomes available and the callback is hers: told, 離席, the task list open on it', async () => {
    const r = await api(c.url, 'op-sato', 'PUT', '/api/operators/me/status', { status: 'available' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.status, 'away', 'routing set her away to dial it');
    assert.equal(r.body.callback_task, sid);

    await textContains(sato.locator('#ops-message'), '折り返し依頼をお渡ししました');
    await eventually(async () => (await sato.locator('#info-status').inputValue()) === 'away', 10_000, 'the page shows 離席');
    const dialog = sato.locator('#tasks-dialog');
    await dialog.waitFor({ state: 'visible' });
    await textContains(dialog, '折り返し依頼');
    await textContains(dialog, '佐藤');
    await shot(sato, '21-callback-handed');

    const { body } = await api(c.url, 'op-sato', 'GET', '/api/calls/tasks');
    const task = body.tasks.find((t) => t.id === sid);
    assert.equal(task.state, 'taken');
    assert.equal(task.taken_by, 'op-sato');
  });
});
