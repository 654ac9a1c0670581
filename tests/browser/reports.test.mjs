// The reports page (/reports) in Chromium against the local runtime and its Twilio simulator.
// Calls are arranged through the simulator and the API (Sato answers one call and saves its memo
// with a response status; a second caller gives up in line while Sato is 離席, chosen a moment into
// the call's 後処理); the supervisor works the page: the figures, the tables (the 後処理 under
// the response status, the call lists' results by code beside the demo data's), the definitions,
// and the history saved as Shift_JIS with its progress, decoded back here.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { api, launchBrowser, newPage, shot, simRequest, simUntil, startConsole, textContains } from './harness.mjs';

describe('the reports page', { timeout: 240_000 }, () => {
  let console_;
  let browser;

  const sim = (method, path, body) => simRequest(console_.url, method, path, body);

  async function signInAt(page, user, path) {
    await page.goto(`${console_.url}${path}`);
    await page.locator(`button[data-user="${user}"]`).click();
    await page.locator('#reports, #reports-refused').first().waitFor();
  }

  before(async () => {
    console_ = await startConsole();
    browser = await launchBrowser();
    // Sato answers a call and chooses 対応完了 with a memo holding ① and 𠮷.
    assert.equal((await sim('POST', '/sim/phones/op_sato', {})).status, 201);
    assert.equal((await api(console_.url, 'op-sato', 'PUT', '/api/operators/me/status', { status: 'available' })).status, 200);
    const first = (await sim('POST', '/sim/calls', { from: '03-1234-5678' })).body.sid;
    await simUntil(console_.url, { phone: 'op_sato' });
    await sim('POST', '/sim/phones/op_sato/accept', {});
    await simUntil(console_.url, { conference: first, labels: ['customer', 'operator'], settled: true });
    const memo = await api(console_.url, 'op-sato', 'PUT', `/api/memos/${first}`, {
      version: 0,
      text: '①の件、𠮷田様よりご連絡',
      response_status: 'resolved',
    });
    assert.equal(memo.status, 200, JSON.stringify(memo.body));
    await sim('POST', `/sim/calls/${first}/hangup`, {});
    await simUntil(console_.url, { settled: true });
    // Sato goes 離席 a moment into the call's 後処理; a second caller gives up waiting.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await api(console_.url, 'op-sato', 'PUT', '/api/operators/me/status', { status: 'away' })).status, 200);
    const second = (await sim('POST', '/sim/calls', { from: '06-6123-4567' })).body.sid;
    await simUntil(console_.url, { call: second, status: 'in-progress', settled: true });
    await sim('POST', `/sim/calls/${second}/hangup`, {});
    await simUntil(console_.url, { settled: true });
  });

  after(async () => {
    await browser?.close();
    await console_?.stop();
  });

  test('an operator who opens /reports is told it is for supervisors and admins', async () => {
    const page = await newPage(browser);
    await signInAt(page, 'op-sato', '/reports');
    await textContains(page.locator('#reports-refused'), 'レポートはスーパーバイザーと管理者が使えます');
    await page.context().close();
  });

  test("the supervisor reads today's figures, tables and definitions, and saves the calls as Shift_JIS", async () => {
    const page = await newPage(browser);
    await signInAt(page, 'sv-ito', '/reports');
    // Today's (the last seven days') figures: two calls in, one answered, one abandoned.
    await textContains(page.locator('#rep-offered'), '2');
    await textContains(page.locator('#rep-answered'), '1');
    await textContains(page.locator('#rep-abandoned'), '放棄率 50.0%');
    await textContains(page.locator('#rep-operators'), '佐藤');
    await textContains(page.locator('#rep-statuses'), '対応完了');
    // The 後処理 Sato took after the call is under 対応完了, as it is theirs (column 後処理時間).
    const wrapCell = (table, name) => page.locator(`${table} tbody tr`, { hasText: name }).locator('td').nth(9);
    const statusWrap = await wrapCell('#rep-statuses', '対応完了').textContent();
    assert.notEqual(statusWrap, '00:00');
    assert.equal(statusWrap, await wrapCell('#rep-operators', '佐藤').textContent());
    // The call lists' results by code, with their labels: the demo data's 完了 (Sato), 不在
    // (Suzuki) and 再架電 (Takahashi), for the centre, each operator and the list.
    const results = page.locator('#rep-results');
    await textContains(page.locator('#rep-results-title'), '架電結果（コールリスト）');
    assert.deepEqual(await results.locator('thead th').allTextContents(), ['集計単位', '名前', '完了', '不在', '再架電', '合計']);
    const row = async (key) => (await results.locator(`tr[data-row="${key}"] td, tr[data-row="${key}"] th`).allTextContents()).slice(1);
    assert.deepEqual(await row('centre'), ['全体', '1', '1', '1', '3']);
    assert.deepEqual(await row('op-op-sato'), ['佐藤 花子', '1', '0', '0', '1']);
    assert.deepEqual(await row('op-op-suzuki'), ['鈴木 一郎', '0', '1', '0', '1']);
    const list = results.locator('tr[data-row^="list-"]');
    await textContains(list, '春の更新キャンペーン');
    assert.deepEqual((await list.locator('td.num').allTextContents()), ['1', '1', '1', '3']);
    await textContains(page.locator('#rep-definitions'), '（通話時間＋保留時間＋後処理時間＋受付可の時間）÷ ログイン時間');
    await textContains(page.locator('#rep-definitions'), '占有率');
    assert.equal(await page.locator('#rep-daily rect.rep-bar-ans').count(), 1, 'one day with an answered call');

    // Today only, by its preset.
    await page.getByRole('button', { name: '今日', exact: true }).click();
    await textContains(page.locator('#rep-period'), '（1日間）');
    await shot(page, 'reports-today');
    await page.screenshot({ path: new URL('./screenshots/reports-full.png', import.meta.url).pathname, fullPage: true });

    // The calls as Shift_JIS: progress, then the file, decoded back.
    const download = page.waitForEvent('download');
    await page.locator('#rep-export-calls-sjis').click();
    const file = await download;
    assert.match(file.suggestedFilename(), /^calls_\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}_sjis\.csv$/);
    const text = new TextDecoder('shift_jis').decode(readFileSync(await file.path()));
    const lines = text.trimEnd().split('\r\n');
    assert.equal(lines.length, 4, text);
    assert.match(lines[0], /〓に置き換えています/);
    assert.ok(lines.some((l) => l.includes('"①の件、〓田様よりご連絡"')), text);
    assert.ok(lines.some((l) => l.includes('"放棄"')), text);
    await textContains(page.locator('#rep-export-state'), '2件の通話を保存しました。');
    await textContains(page.locator('#rep-export-state'), '1行で Shift_JIS にない文字を〓に置き換えました。');

    // A range the API refuses is explained in Japanese.
    await page.fill('#rep-from', '2025-01-01');
    await page.locator('#rep-show').click();
    await textContains(page.locator('#rep-error'), '期間は92日以内で指定してください');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});
