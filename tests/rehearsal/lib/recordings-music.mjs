// The walk both templates are rehearsed with after the flows: what supervisors and admins got
// lately, through the deployed API. A supervisor reads today's report and downloads it as a
// Shift_JIS CSV file (an operator is refused both); a call on a recorded line is played by a
// supervisor through a link whose public route answers a byte range of the WAV (the first
// binary 206 through the rehearsed API Gateway and, on the CDK stack, the distribution); an admin
// asks where to upload hold music and is given a presigned PUT into the page bucket's music/
// (the SAM template deployed without PageBucketName refuses uploads, as its parameter says).

import assert from 'node:assert/strict';
import { api, sim } from './client.mjs';
import { putSections } from './flows.mjs';
import { LINE, signInCast, simWait } from './walk.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Today in Japan (`YYYY-MM-DD`). */
function jstToday() {
  return new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
}

/** The caller of the recorded call. */
const RECORDED_CALLER = { from: '03-7777-0505', e164: '+81377770505' };

/** The settings function's page bucket, as its template gave it (`PAGE_BUCKET`). */
function pageBucketOfSettings(r) {
  const fns = [...r.functions.values()].filter((f) => f.spec.environment && 'PAGE_BUCKET' in f.spec.environment);
  assert.equal(fns.length, 1, `exactly one function is given the page bucket: ${fns.map((f) => f.spec.name).join(', ')}`);
  return fns[0].spec.environment.PAGE_BUCKET;
}

/** Runs the walk (after the API walk set the line up and registered the operators' phones). */
export async function walkRecordingsAndMusic(r, t) {
  const cast = await signInCast(r);
  const before = {
    failures: new Map([...r.functions].map(([id, f]) => [id, f.failures.length])),
    denied: r.iam.denied.length,
    problems: (await sim(r, 'GET', '/sim/problems')).body.length,
    counts: r.answerCounts(),
  };
  const day = jstToday();

  await t.test('a supervisor reads today’s report and downloads it as a Shift_JIS CSV file; an operator is refused both', async () => {
    const report = await api(r, cast.ito.idToken, 'GET', `/api/reports?from=${day}&to=${day}`);
    assert.equal(report.status, 200, JSON.stringify(report.body));
    const body = report.body;
    assert.equal(body.from, day);
    assert.equal(body.to, day);
    assert.equal(typeof body.service_level_seconds, 'number');
    assert.deepEqual(body.days.map((d) => d.day), [day], 'one row for the one day');
    assert.ok(body.totals.offered >= 1 && body.totals.answered >= 1, `the day's answered calls are counted: ${JSON.stringify(body.totals)}`);
    assert.deepEqual(body.days[0].figures, body.totals, 'a one-day range: the day is the total');
    for (const part of ['operators', 'queues', 'statuses']) assert.ok(Array.isArray(body[part]), `${part}: ${JSON.stringify(body[part])}`);
    // Which operator took which call depends on the walks before this one: someone answered.
    assert.ok(body.operators.some((o) => o.figures.answered >= 1), JSON.stringify(body.operators));
    assert.equal((await api(r, cast.sato.idToken, 'GET', `/api/reports?from=${day}&to=${day}`)).status, 403, 'reports are for supervisors');

    const res = await fetch(`${r.apiUrl}/api/reports/export?from=${day}&to=${day}&encoding=sjis`, { headers: { authorization: `Bearer ${cast.ito.idToken}` } });
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.equal(res.status, 200, bytes.toString('utf8'));
    assert.equal(res.headers.get('content-type'), 'text/csv; charset=shift_jis');
    assert.equal(res.headers.get('content-disposition'), `attachment; filename="report_${day}_${day}_sjis.csv"`);
    assert.throws(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes), 'Japanese in Shift_JIS is not UTF-8');
    const text = new TextDecoder('shift_jis', { fatal: true }).decode(bytes);
    const lines = text.split('\r\n');
    assert.match(lines[0], /^"※Shift_JIS（Windows-31J）で表せない文字/, lines[0]);
    assert.equal(lines[1], `"レポート","${day}","${day}"`);
    assert.ok(lines.includes('"センター合計"') && lines.includes('"オペレーター別"'), text.slice(0, 600));
    const names = body.operators.map((o) => o.name).filter(Boolean);
    assert.ok(names.some((n) => lines.some((l) => l.includes(`"${n}"`))), `an operator by name, in Shift_JIS: ${names}`);
    assert.ok(lines.includes(`"期間","入電数","応答数","放棄呼数","基準内応答数","サービスレベル（%）","放棄率（%）","平均応答速度（秒）","対応件数","通話時間（秒）","保留時間（秒）","後処理時間（秒）","平均処理時間（秒）","発信数","発信：つながった","発信：話し中","発信：応答なし","発信：失敗","発信：取消","発信：その他"`), 'the totals header');
    assert.ok(lines.some((l) => l.startsWith(`"${day}～${day}"`)), 'the period, not replaced with 〓');
    assert.equal(res.headers.get('x-replaced-rows'), null, 'nothing replaced in the report');
    const utf8 = await fetch(`${r.apiUrl}/api/reports/calls?from=${day}&to=${day}&encoding=utf8`, { headers: { authorization: `Bearer ${cast.ito.idToken}` } });
    const utf8Bytes = Buffer.from(await utf8.arrayBuffer());
    assert.equal(utf8.status, 200, utf8Bytes.toString('utf8'));
    assert.deepEqual([...utf8Bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'the UTF-8 history keeps its BOM (Excel reads it as UTF-8)');
    const refused = await fetch(`${r.apiUrl}/api/reports/export?from=${day}&to=${day}&encoding=sjis`, { headers: { authorization: `Bearer ${cast.sato.idToken}` } });
    assert.equal(refused.status, 403);
  });

  await t.test('a call on a recorded line plays by byte range through the link a supervisor gets; an operator gets no link', async () => {
    await putSections(r, cast.admin.idToken, { lines: [{ ...LINE, recording: true }] });
    const status = await api(r, cast.sato.idToken, 'PUT', '/api/operators/me/status', { status: 'available' });
    assert.equal(status.status, 200, JSON.stringify(status.body));
    const started = await sim(r, 'POST', '/sim/calls', { from: RECORDED_CALLER.from, to: LINE.number });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const sid = started.body.sid;
    const ring = await simWait(r, { phone: cast.sato.identity });
    assert.equal(ring.ringing.params.callSid, sid);
    assert.equal((await sim(r, 'POST', `/sim/phones/${cast.sato.identity}/accept`, {})).status, 200);
    await simWait(r, { conference: sid, labels: ['customer', 'operator'], settled: true });
    await sleep(2000);
    assert.equal((await api(r, cast.sato.idToken, 'POST', `/api/calls/${sid}/hangup`)).status, 204);
    await simWait(r, { call: sid, status: 'completed', settled: true });

    const refused = await api(r, cast.sato.idToken, 'POST', `/api/calls/${sid}/recording/link`);
    assert.equal(refused.status, 403, JSON.stringify(refused.body));
    let link;
    const until = Date.now() + 20_000;
    do {
      link = await api(r, cast.ito.idToken, 'POST', `/api/calls/${sid}/recording/link`);
      if (link.status !== 404) break;
      await sleep(500);
    } while (Date.now() < until);
    assert.equal(link.status, 200, JSON.stringify(link.body));
    assert.match(link.body.url, /^\/api\/media\/recordings\/[^/]+$/, JSON.stringify(link.body));
    assert.ok(Date.parse(link.body.expires_at) > Date.now(), JSON.stringify(link.body));

    // As <audio> asks for it: no bearer token (the link is the credential), a byte range.
    const part = await fetch(`${r.apiUrl}${link.body.url}`, { headers: { range: 'bytes=0-99' } });
    const bytes = Buffer.from(await part.arrayBuffer());
    assert.equal(part.status, 206, `${part.status} ${[...part.headers].map((h) => h.join(': ')).join('; ')} ${bytes.toString('utf8').slice(0, 400)}`);
    assert.match(part.headers.get('content-range') ?? '', /^bytes 0-99\/\d+$/);
    const total = Number(part.headers.get('content-range').split('/')[1]);
    assert.ok(total > 44 + 8000, `more than a header: ${total} bytes`);
    assert.equal(part.headers.get('accept-ranges'), 'bytes');
    assert.match(part.headers.get('content-type') ?? '', /^audio\/(x-)?wav/);
    assert.equal(bytes.length, 100, 'exactly the hundred bytes asked for');
    assert.equal(bytes.subarray(0, 4).toString('latin1'), 'RIFF');
    assert.equal(bytes.subarray(8, 12).toString('latin1'), 'WAVE');
    assert.equal(bytes.readUInt32LE(4), total - 8, 'the RIFF header gives the length Content-Range gives');

    const unknown = await fetch(`${r.apiUrl}${link.body.url.replace(/[^/]+$/, 'x'.repeat(43))}`, { headers: { range: 'bytes=0-99' } });
    assert.ok([400, 404].includes(unknown.status), `a made-up token plays nothing: ${unknown.status}`);
  });

  await t.test('an admin is given where to upload hold music: a presigned PUT into the page bucket’s music/ (refused where the stack names no page bucket)', async () => {
    const bucket = pageBucketOfSettings(r);
    const ask = { file_name: 'hold-music.wav', content_type: 'audio/wav', size: 16_044 };
    assert.equal((await api(r, cast.ito.idToken, 'POST', '/api/settings/music-upload', ask)).status, 403, 'admins only');
    const res = await api(r, cast.admin.idToken, 'POST', '/api/settings/music-upload', ask);
    if (bucket === '') {
      assert.equal(res.status, 409, JSON.stringify(res.body));
      assert.ok(res.body?.error?.message, JSON.stringify(res.body));
      return;
    }
    assert.ok(r.stack.buckets.has(bucket), `PAGE_BUCKET ${bucket} is a bucket of the stack: ${[...r.stack.buckets.keys()]}`);
    const page = r.stack.buckets.get(bucket);
    assert.match(page.id, /^PageBucket/, `the page's bucket: ${page.id}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.method, 'PUT');
    assert.deepEqual(res.body.headers, { 'content-type': 'audio/wav' });
    assert.match(res.body.path, /^music\/[0-9a-f-]{36}-hold-music\.wav$/);
    const url = new URL(res.body.upload_url);
    assert.equal(url.protocol, 'https:');
    assert.equal(url.host, `${bucket}.s3.${r.stack.region}.amazonaws.com`);
    assert.equal(url.pathname, `/${res.body.path}`);
    const q = url.searchParams;
    assert.equal(q.get('X-Amz-Algorithm'), 'AWS4-HMAC-SHA256');
    assert.equal(q.get('X-Amz-Expires'), '300');
    assert.equal(q.get('X-Amz-SignedHeaders'), 'content-type;host');
    assert.match(q.get('X-Amz-Credential') ?? '', new RegExp(`/${r.stack.region}/s3/aws4_request$`));
    assert.match(q.get('X-Amz-Signature') ?? '', /^[0-9a-f]{64}$/);
  });

  await t.test('nothing failed underneath: no function error, no IAM refusal, no broken Twilio rule, no 5xx', async () => {
    const failures = [...r.functions].flatMap(([id, f]) => f.failures.slice(before.failures.get(id) ?? 0).map((m) => `${f.spec.name}: ${m}`));
    assert.deepEqual(failures, []);
    assert.deepEqual(r.iam.denied.slice(before.denied), []);
    const problems = await sim(r, 'GET', '/sim/problems');
    assert.deepEqual(problems.body.slice(before.problems), []);
    const serverErrors = [...r.answerCounts()].filter(([k, n]) => /\b5\d\d\b/.test(k) && n > (before.counts.get(k) ?? 0));
    assert.deepEqual(serverErrors, []);
  });
}
