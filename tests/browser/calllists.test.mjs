// Call-list administration (/admin/call-lists) in Chromium against the local runtime: an admin
// creates a list with a line and talk script from the settings, imports CSV files the way
// Japanese spreadsheets save them (UTF-8 with a BOM, Shift_JIS — generated here, each with rows
// that must fail), sees the counts and every failed row with its line and reason, imports a
// 50,000-row file in chunks (pausing and resuming it part-way, nothing lost or doubled), meets a
// stale edit, and deletes a large list in steps. The tests wait on the page, never on the clock.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, eventually, launchBrowser, newPage, shot, startConsole, textContains } from './harness.mjs';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Shift_JIS bytes of `text`, from the reverse of the decoder's table (Node has no encoder). */
function shiftJis(text) {
  const decoder = new TextDecoder('shift_jis');
  const table = new Map();
  const leads = [...Array(0x1f).keys()].map((i) => 0x81 + i).concat([...Array(0x1d).keys()].map((i) => 0xe0 + i));
  for (const lead of leads) {
    for (let trail = 0x40; trail <= 0xfc; trail++) {
      if (trail === 0x7f) continue;
      const ch = decoder.decode(Uint8Array.from([lead, trail]));
      if (ch.length === 1 && ch !== '\uFFFD' && !table.has(ch)) table.set(ch, [lead, trail]);
    }
  }
  const out = [];
  for (const ch of text) {
    const code = ch.codePointAt(0);
    if (code < 0x80) out.push(code);
    else if (table.has(ch)) out.push(...table.get(ch));
    else throw new Error(`no Shift_JIS for ${ch}`);
  }
  return Buffer.from(out);
}

describe('call-list administration', { timeout: 300_000 }, () => {
  let console_;
  let browser;
  let page;
  let listId;
  const chunkRequests = [];

  async function signInAt(p, user, path) {
    await p.goto(`${console_.url}${path}`);
    await p.locator(`button[data-user="${user}"]`).click();
    await p.locator('#call-lists, #lists-refused').first().waitFor();
  }

  const row = () => page.locator(`#cl-list-${listId}`);
  const count = async (state) => Number(((await row().locator(`.cl-count-${state}`).textContent()) ?? '').replace(/,/g, ''));

  async function openImport() {
    await page.click(`#cl-list-${listId} button:has-text("CSV取り込み")`);
    await page.locator('#cl-import-file').waitFor();
  }

  async function pick(name, buffer) {
    await page.setInputFiles('#cl-import-file', { name, mimeType: 'text/csv', buffer });
    await page.locator('#cl-mapping').waitFor();
  }

  async function failures() {
    return page.$$eval('#cl-failures tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent.trim())));
  }

  before(async () => {
    console_ = await startConsole();
    browser = await launchBrowser();
    page = await newPage(browser);
    page.on('request', (r) => {
      if (r.url().includes('/chunks?first_line=')) {
        chunkRequests.push({ firstLine: Number(new URL(r.url()).searchParams.get('first_line')), bytes: r.postDataBuffer()?.length ?? 0 });
      }
    });
  });

  after(async () => {
    await browser?.close();
    await console_?.stop();
  });

  test('a supervisor who opens the page is told it is for admins', async () => {
    const p = await newPage(browser);
    await signInAt(p, 'sv-ito', '/admin/call-lists');
    await textContains(p.locator('#lists-refused'), 'このページは管理者のみ利用できます');
    await p.context().close();
  });

  test('the admin reaches the page from /admin and creates a list on a line with a talk script', async () => {
    await page.goto(`${console_.url}/admin`);
    await page.locator('button[data-user="admin-watanabe"]').click();
    await page.locator('#admin').waitFor();
    await page.click('#admin-call-lists');
    await page.locator('#cl-lists').waitFor();
    await textContains(page.locator('#cl-lists'), '春の更新キャンペーン');

    await page.click('#cl-new');
    await page.click('#cl-form-save');
    await textContains(page.locator('#cl-form'), 'リスト名を入力してください');
    assert.equal(await page.getAttribute('#cl-form-name', 'aria-invalid'), 'true');
    await shot(page, 'calllists-new-list-invalid');
    await page.fill('#cl-form-name', '秋の展示会フォロー');
    await page.selectOption('#cl-form-line', 'sales');
    await page.selectOption('#cl-form-script', 'outbound');
    await page.fill('#cl-form-description', '展示会で名刺交換したお客様へのお礼とご案内');
    await page.click('#cl-form-save');
    await page.locator('#cl-form').waitFor({ state: 'detached' });
    const created = page.locator('#cl-lists tbody tr', { hasText: '秋の展示会フォロー' });
    await textContains(created, '営業部（050-3000-1234）');
    await textContains(created, '架電時の基本トーク');
    listId = (await created.getAttribute('id')).replace('cl-list-', '');
    assert.equal(await count('total'), 0);
  });

  test('a UTF-8 file with a BOM: the encoding and mapping are detected, failed rows are listed by line, the rest imported', async () => {
    const csv = [
      '会社名,担当者,電話番号,備考,業種',
      '株式会社アルファ,青木 一郎,03-5555-0001,初回のご案内,製造',
      'ベータ商事,,06-5555-0002,"二行の\n備考",卸売',
      'ガンマ,加藤,03-5555-0003,列が多い,小売,余分',
      'デルタ,,電話なし,,サービス',
      'イプシロン,,,,IT',
      '山田商事株式会社,山田 太郎,03-1234-5678,既存のお客様,商社',
      '',
    ].join('\r\n');
    await openImport();
    await pick('展示会リスト.csv', Buffer.concat([BOM, Buffer.from(csv, 'utf8')]));
    await textContains(page.locator('#cl-encoding'), 'UTF-8（BOM付き）');
    await textContains(page.locator('#cl-rows'), '6 行');
    assert.equal(await page.inputValue('#cl-map-phone'), '電話番号');
    assert.equal(await page.inputValue('#cl-map-account'), '会社名');
    assert.equal(await page.inputValue('#cl-map-contact'), '担当者');
    assert.equal(await page.inputValue('#cl-map-notes'), '備考');
    assert.equal(await page.isChecked('#cl-mapping label:has-text("業種") input'), true, 'the other column is kept');
    await textContains(page.locator('#cl-preview'), '株式会社アルファ');
    await shot(page, 'calllists-preview-utf8');

    // The admin may change the mapping: without a phone column nothing can be imported.
    await page.selectOption('#cl-map-phone', '');
    await textContains(page.locator('#cl-import-problem'), '電話番号の列を選んでください');
    assert.equal(await page.isDisabled('#cl-import-start'), true);
    await page.selectOption('#cl-map-phone', '電話番号');

    await page.click('#cl-import-start');
    await textContains(page.locator('#cl-import-done'), '3 行を取り込み、3 行は取り込めませんでした');
    // Line 3's notes run over two lines of the file, so the rows after it keep the file's numbering.
    const rows = await failures();
    assert.deepEqual(rows.map((r) => r[0]), ['5', '6', '7']);
    assert.match(rows[0][2], /列の数が見出し（5列）と合いません/);
    assert.deepEqual(rows.slice(1).map((r) => [r[1], r[2]]), [
      ['電話番号', '電話番号として読み取れません'],
      ['電話番号', '電話番号が空です'],
    ]);
    await textContains(page.locator('#cl-import-figures'), 'CRMと紐づけ 1 行');
    await eventually(async () => (await count('total')) === 3, 5000, 'the list to count 3 targets');
    assert.equal(await count('not_called'), 3);
    await shot(page, 'calllists-imported-utf8');
  });

  test('a Shift_JIS file is read as Shift_JIS, quotes and all', async () => {
    const csv = [
      '氏名,電話,メモ',
      '佐々木 次郎,090-1234-0001,午前中希望',
      '"高橋, 花子",080-1234-0002,"メモに""引用""あり"',
      '森 三郎,12345,番号が短い',
      '',
    ].join('\r\n');
    await page.click('#cl-import button:has-text("別のファイルを取り込む")');
    await pick('顧客一覧_SJIS.csv', shiftJis(csv));
    await textContains(page.locator('#cl-encoding'), 'Shift_JIS');
    assert.equal(await page.inputValue('#cl-map-phone'), '電話');
    assert.equal(await page.inputValue('#cl-map-name'), '氏名');
    assert.equal(await page.inputValue('#cl-map-notes'), 'メモ');
    await textContains(page.locator('#cl-preview'), '佐々木 次郎');
    await page.click('#cl-import-start');
    await textContains(page.locator('#cl-import-done'), '2 行を取り込み、1 行は取り込めませんでした');
    const rows = await failures();
    assert.deepEqual(rows.map((r) => [r[0], r[2]]), [['4', '電話番号として読み取れません']]);
    await eventually(async () => (await count('total')) === 5, 5000, 'the list to count 5 targets');

    await page.click(`#cl-list-${listId} button:has-text("対象一覧")`);
    const targets = page.locator('#cl-targets-table');
    await textContains(targets, '佐々木 次郎');
    await textContains(targets, '高橋, 花子');
    await textContains(targets, '090-1234-0001');
    await textContains(targets, '株式会社アルファ');
    await shot(page, 'calllists-targets');
  });

  test('records with line breaks inside quotes are never cut between chunks, and line numbers hold across chunks', async () => {
    const lines = ['名前,電話番号,備考'];
    let line = 1;
    let badLine = 0;
    for (let i = 1; i <= 4500; i++) {
      line++;
      const phone = i === 4321 ? '番号不明' : `080-${String(2000 + Math.floor(i / 10_000)).padStart(4, '0')}-${String(i % 10_000).padStart(4, '0')}`;
      if (i === 4321) badLine = line;
      // Notes over two lines every 97th row, and on every row around the 2,000th record and the
      // 2,000th line, where a chunk ends: a cut by lines rather than records would split one.
      const twoLines = i % 97 === 0 || (i >= 1970 && i <= 2010) || (i >= 3930 && i <= 4010);
      const notes = twoLines ? `"一行目, ${i}\n二行目 ""引用"""` : `備考${i}`;
      if (twoLines) line++;
      lines.push(`山本${i},${phone},${notes}`);
    }
    chunkRequests.length = 0;
    await page.click('#cl-targets button:has-text("閉じる")');
    await openImport();
    await pick('複数行の備考.csv', Buffer.from(lines.join('\n') + '\n', 'utf8'));
    await textContains(page.locator('#cl-rows'), '4,500 行');
    await page.click('#cl-import-start');
    await textContains(page.locator('#cl-import-done'), '4,499 行を取り込み、1 行は取り込めませんでした', 60_000);
    assert.ok(chunkRequests.length >= 3, `sent in ${chunkRequests.length} chunks`);
    const rows = await failures();
    assert.deepEqual(rows.map((r) => [r[0], r[2]]), [[badLine.toLocaleString('en'), '電話番号として読み取れません']]);
    await eventually(async () => (await count('total')) === 5 + 4499, 5000, 'the list to count every target');
  });

  test('50,000 rows import in chunks with a progress bar; paused and resumed, every row is imported once', async () => {
    const lines = ['名前,電話番号,備考'];
    for (let i = 0; i < 50_000; i++) {
      lines.push(`顧客${i + 1},03-${String(6000 + Math.floor(i / 10_000)).padStart(4, '0')}-${String(i % 10_000).padStart(4, '0')},展示会 ${i % 7}`);
    }
    const big = await api(console_.url, 'admin-watanabe', 'POST', '/api/call-lists', { name: '大量リスト', line_id: 'main' });
    assert.equal(big.status, 201);
    listId = big.body.id;
    await page.click('#cl-lists-title ~ button:has-text("最新の状態に更新")');
    await row().waitFor();
    await openImport();
    await pick('大量リスト.csv', Buffer.from(lines.join('\n') + '\n', 'utf8'));
    await textContains(page.locator('#cl-rows'), '50,000 行');
    chunkRequests.length = 0;
    const started = Date.now();
    await page.click('#cl-import-start');

    // Pause once some chunks are in: the upload stops between chunks.
    await eventually(async () => chunkRequests.length >= 2, 30_000, 'the first chunks');
    await page.click('#cl-import-pause');
    await page.locator('#cl-import-resume').waitFor({ timeout: 30_000 });
    const paused = Number(await page.getAttribute('#cl-import-progress', 'value'));
    assert.ok(paused > 0 && paused < 100, `the bar shows part of the file (${paused}%)`);
    await textContains(page.locator('#cl-import'), '一時停止中です');
    await shot(page, 'calllists-50k-paused');
    await page.click('#cl-import-resume');
    await textContains(page.locator('#cl-import-done'), '50,000 行を取り込み、0 行は取り込めませんでした', 240_000);
    const seconds = (Date.now() - started) / 1000;
    console.log(`50,000 rows in ${chunkRequests.length} chunks, ${seconds.toFixed(1)} s (${Math.round(50_000 / seconds)} rows/s)`);

    assert.ok(chunkRequests.length >= 25, `sent in chunks (${chunkRequests.length})`);
    assert.ok(chunkRequests.every((c) => c.bytes > 0 && c.bytes <= 2 * 1024 * 1024), 'every chunk within 2 MB');
    const firsts = chunkRequests.map((c) => c.firstLine);
    assert.equal(firsts[0], 2, 'the header line is not sent as data');
    assert.deepEqual(firsts, [...new Set(firsts)].sort((a, b) => a - b), 'each chunk once, in file order');
    assert.equal(await page.getAttribute('#cl-import-progress', 'value'), '100');
    await eventually(async () => (await count('total')) === 50_000, 10_000, 'the list to count 50,000 targets');
    assert.equal(await count('not_called'), 50_000);
    await shot(page, 'calllists-50k-done');
  });

  test('an edit that lost a race to another admin reloads the current list and saves on the second try', async () => {
    await page.click(`#cl-list-${listId} button:has-text("編集")`);
    await page.fill('#cl-form-name', '大量リスト（11月）');
    const current = await api(console_.url, 'admin-watanabe', 'GET', `/api/call-lists/${listId}`);
    const other = await api(console_.url, 'admin-watanabe', 'PUT', `/api/call-lists/${listId}`, {
      version: current.body.version,
      name: '大量リスト（別の管理者）',
      line_id: 'main',
    });
    assert.equal(other.status, 200);
    await page.click('#cl-form-save');
    await textContains(page.locator('#cl-form-message'), 'さんが先にこのリストを更新しました');
    assert.equal(await page.inputValue('#cl-form-name'), '大量リスト（別の管理者）');
    await page.fill('#cl-form-name', '大量リスト（11月）');
    await page.click('#cl-form-save');
    await page.locator('#cl-form').waitFor({ state: 'detached' });
    await textContains(row(), '大量リスト（11月）');
  });

  test('deleting a large list goes on until it is gone', async () => {
    const deletes = [];
    const onResponse = (r) => {
      if (r.request().method() === 'DELETE' && r.url().endsWith(`/api/call-lists/${listId}`)) deletes.push(r.status());
    };
    page.on('response', onResponse);
    await page.click(`#cl-list-${listId} button:has-text("削除")`);
    await textContains(page.locator('#cl-delete'), '対象 50,000 件');
    await page.click('#cl-delete-confirm');
    await row().waitFor({ state: 'detached', timeout: 120_000 });
    page.off('response', onResponse);
    assert.ok(deletes.length > 1 && deletes.slice(0, -1).every((s) => s === 202) && deletes.at(-1) === 204, `202… then 204: ${deletes}`);
    const gone = await api(console_.url, 'admin-watanabe', 'GET', `/api/call-lists/${listId}`);
    assert.equal(gone.status, 404);
    assert.deepEqual(page.errors, []);
  });
});
