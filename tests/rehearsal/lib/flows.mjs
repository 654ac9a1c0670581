// The walk of what happens before the queue, both templates are rehearsed with: a line's
// business hours (a closed day the centre set), its IVR menu, its voicemail box with ja-JP
// transcription and the callback offer to a waiting caller, as an admin sets them up through
// the deployed API and callers meet them through the Twilio simulator; what the caller left
// reaches the operators as tasks, and a voicemail's recording plays through the console (a
// binary body relayed by the calls function through API Gateway and the distribution); both are
// in the caller's 対応履歴, and a caller who chose a callback is not counted as abandoned.

import assert from 'node:assert/strict';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { api, sim } from './client.mjs';
import { LINE, signInCast, simWait } from './walk.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * How long a warm function keeps the settings it read (shared::domain::settings caches them for
 * five seconds): a change is heard by every function once this has passed.
 */
const SETTINGS_SETTLE_MS = 5500;

const ALL_DAY = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start: '00:00', end: '24:00' }]]));

/** A day in Japan (`YYYY-MM-DD`), `offset` days from today there. */
function jstDay(offset = 0) {
  return new Date(Date.now() + 9 * 3600_000 + offset * 86_400_000).toISOString().slice(0, 10);
}

/** Open round the clock, every day, holidays included. */
const OPEN = { weekly: ALL_DAY, closed_on_holidays: false, closed_days: [], when_closed: { action: 'message', text: 'ただいまの時間は受付を終了しております。' } };

/** Closed from yesterday to tomorrow (Japan time) by a closed day the centre set: 臨時休業. */
function closedToday(whenClosed) {
  return { ...OPEN, closed_days: [{ from: jstDay(-1), to: jstDay(1), label: '臨時休業' }], when_closed: whenClosed };
}

/** The admin changes settings sections (each on the version it has now) and waits until every function hears them. */
export async function putSections(r, admin, sections) {
  const settings = await api(r, admin, 'GET', '/api/settings');
  assert.equal(settings.status, 200, JSON.stringify(settings.body));
  for (const [section, value] of Object.entries(sections)) {
    const version = settings.body.versions?.[section] ?? 0;
    const res = await api(r, admin, 'PUT', `/api/settings/${section}`, { version, value });
    assert.equal(res.status, 200, `${section}: ${JSON.stringify(res.body)}`);
  }
  await sleep(SETTINGS_SETTLE_MS);
}

/** An operator's presence, as the page sets it. */
async function setStatus(r, person, status) {
  const res = await api(r, person.idToken, 'PUT', '/api/operators/me/status', { status });
  assert.equal(res.status, 200, `${status}: ${JSON.stringify(res.body)}`);
}

/** The call's own item in the table, as the functions wrote it (undefined when there is none). */
async function storedCall(r, sid) {
  const [table] = r.stack.tables;
  const out = await r.aws.dynamodb.send(new GetItemCommand({ TableName: table.name, Key: { PK: { S: `CALL#${sid}` }, SK: { S: 'CALL' } }, ConsistentRead: true }));
  return out.Item;
}

/** The open tasks, as an operator's page lists them. */
async function openTasks(r, person) {
  const res = await api(r, person.idToken, 'GET', '/api/calls/tasks');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.tasks;
}

/** Waits until the open tasks hold the caller's task and `ready` accepts it. */
async function taskOf(r, person, sid, ready = () => true, ms = 20_000) {
  const until = Date.now() + ms;
  let seen;
  while (Date.now() < until) {
    seen = await openTasks(r, person);
    const task = seen.find((t) => t.id === sid);
    if (task && ready(task)) return task;
    await sleep(500);
  }
  assert.fail(`the task of ${sid} never became ready; the open tasks: ${JSON.stringify(seen)}`);
}

/** A caller dials the line with the choices they will make at the menus they meet. */
async function callIn(r, from, choices = []) {
  const started = await sim(r, 'POST', '/sim/calls', { from, to: LINE.number, choices });
  assert.equal(started.status, 201, JSON.stringify(started.body));
  return started.body.sid;
}

/** What the simulated caller heard, in order. */
async function heardBy(r, sid) {
  const res = await sim(r, 'GET', `/sim/calls/${sid}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.call.heard;
}

/** Whether an operator's softphone was ever rung for the call. */
async function rungFor(r, person, sid) {
  const events = await sim(r, 'GET', `/sim/phones/${person.identity}/events`);
  assert.equal(events.status, 200, JSON.stringify(events.body));
  return events.body.some((e) => e.type === 'incoming' && JSON.stringify(e).includes(sid));
}

/** The first row of a number's call history, as the page lists it. */
async function latestInHistory(r, person, phone) {
  const res = await api(r, person.idToken, 'GET', `/api/history/calls?phone=${encodeURIComponent(phone)}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.items[0];
}

/** Today's figures on the supervisors' board. */
async function today(r, supervisor) {
  const res = await api(r, supervisor.idToken, 'GET', '/api/monitor');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.today;
}

/** The callers of this walk. */
export const CALLERS = {
  closed: { from: '03-6666-0101', e164: '+81366660101' },
  voicemail: { from: '090-6666-0202', e164: '+819066660202' },
  menu: { from: '03-6666-0303', e164: '+81366660303' },
  callback: { from: '080-6666-0404', e164: '+818066660404' },
};

/**
 * Runs the walk after the API walk (whose operators registered their phones and whose admin
 * configured the line); `t` is the node:test context. Returns the cast and the calls it made.
 */
export async function walkTheFlowsBeforeTheQueue(r, t) {
  const cast = await signInCast(r);
  const admin = cast.admin.idToken;
  const calls = {};
  // What went wrong before this walk (the live channel walk's refused connections) is not its own.
  const before = {
    failures: new Map([...r.functions].map(([id, f]) => [id, f.failures.length])),
    denied: r.iam.denied.length,
    problems: (await sim(r, 'GET', '/sim/problems')).body.length,
    counts: r.answerCounts(),
  };
  await setStatus(r, cast.sato, 'available');
  await setStatus(r, cast.tanaka, 'away');

  await t.test('on a day the centre closed, a caller hears the closed message, nobody is rung and no call is queued', async () => {
    await putSections(r, admin, { hours: { [LINE.id]: closedToday({ action: 'message', text: '本日は臨時休業のため、お電話を承ることができません。' }) } });
    const sid = await callIn(r, CALLERS.closed.from);
    calls.closed = sid;
    await simWait(r, { call: sid, status: 'completed', heard: '臨時休業', settled: true });
    assert.deepEqual(await heardBy(r, sid), ['本日は臨時休業のため、お電話を承ることができません。']);
    assert.equal(await rungFor(r, cast.sato, sid), false, 'the available operator was not rung');
    assert.equal(await storedCall(r, sid), undefined, 'a closed line queues nobody');
  });

  await t.test('closed with voicemail: the caller’s message becomes one task with its ja-JP transcript, taken once, and its recording plays through the console intact', async () => {
    await putSections(r, admin, { hours: { [LINE.id]: closedToday({ action: 'voicemail', greeting: '本日は臨時休業です。' }) } });
    const sid = await callIn(r, CALLERS.voicemail.from);
    calls.voicemail = sid;
    await simWait(r, { call: sid, heard: 'ピー' });
    for (const text of ['リハーサル商事の山田です。', '見積書の件で折り返しお願いします。']) {
      const said = await sim(r, 'POST', `/sim/calls/${sid}/speak`, { text });
      assert.equal(said.status, 204, JSON.stringify(said.body));
    }
    await sleep(1500);
    assert.equal((await sim(r, 'POST', `/sim/calls/${sid}/hangup`, {})).status, 204);
    await simWait(r, { call: sid, status: 'completed', settled: true });
    const heard = await heardBy(r, sid);
    assert.equal(heard[0], '本日は臨時休業です。', `the line's own greeting first: ${JSON.stringify(heard)}`);

    const task = await taskOf(r, cast.sato, sid, (t) => t.transcript_complete);
    assert.equal(task.kind, 'voicemail');
    assert.equal(task.state, 'open');
    assert.equal(task.customer, CALLERS.voicemail.e164);
    assert.equal(task.line_id, LINE.id);
    assert.equal(task.transcript, 'リハーサル商事の山田です。見積書の件で折り返しお願いします。');
    assert.match(task.recording_sid ?? '', /^RE[0-9a-f]{32}$/);

    const [a, b] = await Promise.all([
      api(r, cast.tanaka.idToken, 'POST', `/api/calls/tasks/${sid}/take`),
      api(r, cast.sato.idToken, 'POST', `/api/calls/tasks/${sid}/take`),
    ]);
    assert.deepEqual([a.status, b.status].sort(), [200, 409], `exactly one takes it: ${JSON.stringify([a.body, b.body])}`);
    const [holder, other, refusal] = a.status === 200 ? [cast.tanaka, cast.sato, b.body] : [cast.sato, cast.tanaka, a.body];
    assert.equal(refusal.error.code, 'task_taken', JSON.stringify(refusal));

    // The recording, as the page's player fetches it: a link for any signed-in user, then the
    // link's public route answering byte ranges — a binary body out of the calls function,
    // base64 in Lambda's response, decoded by API Gateway, through the distribution.
    const link = await api(r, other.idToken, 'POST', `/api/calls/tasks/${sid}/recording/link`);
    assert.equal(link.status, 200, JSON.stringify(link.body));
    assert.match(link.body.url, /^\/api\/media\/recordings\/[^/]+$/, JSON.stringify(link.body));
    const played = await fetch(`${r.apiUrl}${link.body.url}`, { headers: { range: 'bytes=0-' } });
    assert.equal(played.status, 206, await played.clone().text());
    assert.equal(played.headers.get('content-type'), 'audio/x-wav');
    const audio = Buffer.from(await played.arrayBuffer());
    const auth = Buffer.from(`${r.credentials.account_sid}:${r.credentials.auth_token}`).toString('base64');
    const kept = await fetch(`${r.sim.url}/2010-04-01/Accounts/${r.credentials.account_sid}/Recordings/${task.recording_sid}.wav`, { headers: { authorization: `Basic ${auth}` } });
    assert.equal(kept.status, 200);
    const original = Buffer.from(await kept.arrayBuffer());
    assert.ok(original.length > 44 + 8000, `Twilio keeps more than a header: ${original.length} bytes`);
    assert.equal(played.headers.get('content-range'), `bytes 0-${original.length - 1}/${original.length}`);
    assert.equal(audio.subarray(0, 4).toString('latin1'), 'RIFF', 'a WAV file');
    assert.ok(audio.equals(original), 'the very bytes Twilio keeps');
    const end = await fetch(`${r.apiUrl}${link.body.url}`, { headers: { range: `bytes=${original.length - 100}-` } });
    assert.equal(end.status, 206, 'seeking to the end');
    assert.ok(Buffer.from(await end.arrayBuffer()).equals(original.subarray(original.length - 100)));
    const unsigned = await fetch(`${r.apiUrl}/api/calls/tasks/${sid}/recording/link`, { method: 'POST' });
    assert.equal(unsigned.status, 401, 'a link is for signed-in users only');

    const done = await api(r, holder.idToken, 'POST', `/api/calls/tasks/${sid}/done`);
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(done.body.state, 'done');
    assert.ok(!(await openTasks(r, cast.sato)).some((t) => t.id === sid), 'finished, it leaves the open list');

    // No call was recorded on the closed path, yet the message is in the caller's 対応履歴.
    assert.equal(await storedCall(r, sid), undefined);
    const row = await latestInHistory(r, cast.sato, CALLERS.voicemail.from);
    assert.equal(row?.sid, sid, JSON.stringify(row));
    assert.equal(row.status, 'voicemail');
    assert.equal(row.customer, CALLERS.voicemail.e164);
    assert.equal(row.task.kind, 'voicemail');
    assert.equal(row.task.state, 'done');
    assert.equal(row.task.transcript, 'リハーサル商事の山田です。見積書の件で折り返しお願いします。');
  });

  await t.test('open with a menu: a caller who presses 1 reaches the queue with the choice on the call, and an operator answers', async () => {
    await putSections(r, admin, {
      hours: { [LINE.id]: OPEN },
      menu: {
        [LINE.id]: {
          greeting: 'お電話ありがとうございます。リハーサル商事サポートセンターです。',
          timeout_seconds: 3,
          attempts: 2,
          options: [
            { id: 'billing', key: '1', label: '料金のお問い合わせ', action: { action: 'queue' } },
            { id: 'message', key: '2', label: 'ご伝言', action: { action: 'voicemail' } },
          ],
          default: { action: 'queue' },
        },
      },
    });
    const sid = await callIn(r, CALLERS.menu.from, [{ digits: '1' }]);
    calls.menu = sid;
    const ring = await simWait(r, { phone: cast.sato.identity });
    assert.equal(ring.ringing.params.callSid, sid);
    const heard = await heardBy(r, sid);
    assert.equal(heard[0], 'お電話ありがとうございます。リハーサル商事サポートセンターです。');
    assert.ok(heard.some((h) => h.includes('料金のお問い合わせは1を')), JSON.stringify(heard));
    assert.equal((await sim(r, 'POST', `/sim/phones/${cast.sato.identity}/accept`, {})).status, 200);
    await simWait(r, { conference: sid, labels: ['customer', 'operator'], settled: true });
    const current = await api(r, cast.sato.idToken, 'GET', '/api/calls/current');
    assert.equal(current.status, 200, JSON.stringify(current.body));
    assert.equal(current.body.call.sid, sid);
    assert.equal((await storedCall(r, sid))?.menu_choice?.S, 'billing', 'the choice is kept on the call');
    assert.equal((await api(r, cast.sato.idToken, 'POST', `/api/calls/${sid}/hangup`)).status, 204);
    await simWait(r, { call: sid, status: 'completed', settled: true });
  });

  await t.test('with nobody free, a waiting caller offered a callback presses 1: a callback task keeping their place', async () => {
    await setStatus(r, cast.sato, 'away');
    await putSections(r, admin, { waiting: { callback_after_seconds: 10 } });
    const figures = await today(r, cast.ito);
    const sid = await callIn(r, CALLERS.callback.from, [{ digits: '1' }, { digits: '1' }]);
    calls.callback = sid;
    await simWait(r, { call: sid, heard: '順番におつなぎいたします' });
    const queued = await storedCall(r, sid);
    const joined = queued?.queue_sk?.S?.split('#')[0];
    assert.ok(joined, `the caller was queued: ${JSON.stringify(queued)}`);
    await simWait(r, { call: sid, status: 'completed', heard: '折り返しお電話いたします', settled: true }, 60_000);
    const heard = (await heardBy(r, sid)).join('\n');
    assert.match(heard, /折り返しのお電話をご希望の方は1を/);

    const task = await taskOf(r, cast.sato, sid);
    assert.equal(task.kind, 'callback');
    assert.equal(task.customer, CALLERS.callback.e164);
    assert.equal(task.line_id, LINE.id);
    assert.equal(task.line_number, LINE.number);
    assert.equal(task.place_at, joined, 'the place is when they joined the queue');
    assert.ok(task.created_at > joined, 'asked for after they joined');
    const taken = await api(r, cast.sato.idToken, 'POST', `/api/calls/tasks/${sid}/take`);
    assert.equal(taken.status, 200, JSON.stringify(taken.body));
    assert.equal(taken.body.taken_by_name, '佐藤 花子');

    // In the caller's 対応履歴 the call is a callback request, not a caller who gave up; the
    // day's figures count it as a call in, not as abandoned.
    const row = await latestInHistory(r, cast.sato, CALLERS.callback.from);
    assert.equal(row?.sid, sid, JSON.stringify(row));
    assert.equal(row.status, 'callback_requested');
    assert.equal(row.task.kind, 'callback');
    assert.equal(row.task.state, 'taken');
    const after = await today(r, cast.ito);
    assert.equal(after.inbound, figures.inbound + 1, JSON.stringify({ figures, after }));
    assert.equal(after.abandoned, figures.abandoned, JSON.stringify({ figures, after }));
    await putSections(r, admin, { waiting: { callback_after_seconds: 0 }, menu: {}, hours: {} });
  });

  await t.test('nothing failed underneath the flows: no function error, no IAM refusal, no broken Twilio rule', async () => {
    const failures = [...r.functions].flatMap(([id, f]) => f.failures.slice(before.failures.get(id) ?? 0).map((m) => `${f.spec.name}: ${m}`));
    assert.deepEqual(failures, []);
    assert.deepEqual(r.iam.denied.slice(before.denied), []);
    const problems = await sim(r, 'GET', '/sim/problems');
    assert.deepEqual(problems.body.slice(before.problems), []);
    const serverErrors = [...r.answerCounts()].filter(([k, n]) => /\b5\d\d\b/.test(k) && n > (before.counts.get(k) ?? 0));
    assert.deepEqual(serverErrors, []);
  });

  return { cast, calls };
}
