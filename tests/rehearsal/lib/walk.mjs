// The API walk both templates are rehearsed with: a centre's first day through the deployed API,
// as the page and Twilio make the calls (the browser walk of the CDK stack goes over the same
// ground in Chromium). Every step asserts what a person would notice.

import assert from 'node:assert/strict';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { importJWK, SignJWT } from 'jose';
import { api, signInAs, sim } from './client.mjs';
import { CAST } from './stacks.mjs';

export const CUSTOMER = { from: '03-5555-0101', e164: '+81355550101', name: 'リハーサル商事株式会社' };
export const LINE = { id: 'main', number: '+81368000001', label: '代表' };

/** Waits until the simulator's state holds (`/sim/wait`), failing with the state it saw. */
export async function simWait(r, condition, ms = 15_000) {
  const res = await sim(r, 'POST', '/sim/wait', { ...condition, timeout_ms: ms });
  assert.equal(res.status, 200, `the simulator never reached ${JSON.stringify(condition)}: ${JSON.stringify(res.body).slice(0, 800)}`);
  return res.body;
}

/** The Twilio client identity of a signed-in user (their `sub`, as the token function derives it). */
export function identityOf(idToken) {
  const claims = JSON.parse(Buffer.from(idToken.split('.')[1], 'base64url'));
  return claims.sub.replace(/-/g, '_');
}

/** Signs the whole cast in; returns `{name: {idToken, identity}}`. */
export async function signInCast(r) {
  const out = {};
  for (const [who, person] of Object.entries(CAST)) {
    if (who === 'kato' || who === 'mori') continue;
    const { idToken } = await signInAs(r, person);
    out[who] = { idToken, identity: identityOf(idToken) };
  }
  return out;
}

/** An operator starts the day: profile, Voice token, phone registered, 受付可. */
export async function startShift(r, person) {
  const me = await api(r, person.idToken, 'GET', '/api/operators/me');
  assert.equal(me.status, 200, JSON.stringify(me.body));
  const token = await api(r, person.idToken, 'GET', '/api/token');
  assert.equal(token.status, 200, JSON.stringify(token.body));
  assert.equal(token.body.identity, person.identity, 'the Voice identity is derived from the signed-in user');
  assert.equal((await sim(r, 'POST', `/sim/phones/${person.identity}`, {})).status, 201);
  const status = await api(r, person.idToken, 'PUT', '/api/operators/me/status', { status: 'available' });
  assert.equal(status.status, 200, JSON.stringify(status.body));
  return me.body;
}

/** Runs the walk; `t` is the node:test context (for sub-steps). */
export async function walkTheApi(r, t) {
  const cast = await signInCast(r);
  const functionsBefore = new Map([...r.functions].map(([id, f]) => [id, f.invocations]));

  await t.test('requests without a valid token are refused by the gateway before any function runs', async () => {
    const none = await api(r, null, 'GET', '/api/operators/me');
    assert.equal(none.status, 401);
    assert.deepEqual(none.body, { message: 'Unauthorized' });
    const [h, p, sig] = cast.sato.idToken.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url'));
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, 'cognito:groups': ['admin'] })).toString('base64url')}.${sig}`;
    assert.equal((await api(r, forged, 'GET', '/api/operators/me')).status, 401, 'a token whose claims were changed');
    const flipped = `${h}.${p}.${sig.slice(0, -4)}${sig.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    assert.equal((await api(r, flipped, 'GET', '/api/operators/me')).status, 401, 'a token whose signature was changed');
    assert.equal((await api(r, 'not-a-jwt', 'GET', '/api/operators/me')).status, 401);
    // Signed with the provider's own key, for the right audience, but an hour old.
    const key = await importJWK(r.signingKey, 'RS256');
    const expired = await new SignJWT({ ...claims, iat: claims.iat - 7200, exp: claims.iat - 3600 })
      .setProtectedHeader({ alg: 'RS256', kid: r.signingKey.kid })
      .sign(key);
    const refused = await api(r, expired, 'GET', '/api/operators/me');
    assert.equal(refused.status, 401, 'an expired token');
    assert.match(refused.headers.get('www-authenticate') ?? '', /exp/, 'the gateway says why');
    for (const [id, f] of r.functions) assert.equal(f.invocations, functionsBefore.get(id), `${id} ran for a refused request`);
    const fresh = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'RS256', kid: r.signingKey.kid }).sign(key);
    assert.equal((await api(r, fresh, 'GET', '/api/operators/me')).status, 200, 'the same claims, not expired, are accepted: the refusal was the expiry');
  });

  await t.test('a supervisor who has not registered an authenticator works as an operator until they do', async () => {
    const mori = await signInAs(r, CAST.mori);
    const claims = JSON.parse(Buffer.from(mori.idToken.split('.')[1], 'base64url'));
    assert.deepEqual(claims['cognito:groups'], ['operator'], 'the supervisor role is withheld');
    assert.equal(claims['console:mfa'], 'setup', 'the page is told to offer the registration');
    assert.equal((await api(r, mori.idToken, 'GET', '/api/monitor')).status, 403);
    assert.equal((await api(r, mori.idToken, 'GET', '/api/operators/me')).status, 200);
    const ito = JSON.parse(Buffer.from(cast.ito.idToken.split('.')[1], 'base64url'));
    assert.deepEqual(ito['cognito:groups'], ['supervisor'], 'with an authenticator the role is kept');
  });

  await t.test('an operator may not do what only an admin may, and is told why', async () => {
    const res = await api(r, cast.sato.idToken, 'PUT', '/api/settings/lines', { version: 0, value: [] });
    assert.equal(res.status, 403, JSON.stringify(res.body));
    assert.match(res.body.error.message, /admin/);
  });

  await t.test('the admin configures the line and files the customer in the CRM', async () => {
    const settings = await api(r, cast.admin.idToken, 'GET', '/api/settings');
    assert.equal(settings.status, 200, JSON.stringify(settings.body));
    const version = settings.body.versions?.lines ?? 0;
    const lines = await api(r, cast.admin.idToken, 'PUT', '/api/settings/lines', { version, value: [LINE] });
    assert.equal(lines.status, 200, JSON.stringify(lines.body));
    const account = await api(r, cast.admin.idToken, 'POST', '/api/crm/objects/account/records', {
      fields: { name: CUSTOMER.name, name_kana: 'リハーサルショウジ', phone: CUSTOMER.from, rank: 'a', notes: '請求書は毎月20日締め' },
    });
    assert.equal(account.status, 201, JSON.stringify(account.body));
  });

  let sid;
  await t.test('a customer calls in, the operator is rung with the customer popped up and answers', async () => {
    await startShift(r, cast.sato);
    const started = await sim(r, 'POST', '/sim/calls', { from: CUSTOMER.from, to: LINE.number });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    sid = started.body.sid;
    const ring = await simWait(r, { phone: cast.sato.identity });
    assert.equal(ring.ringing.params.callSid, sid);
    assert.equal((await sim(r, 'POST', `/sim/phones/${cast.sato.identity}/accept`, {})).status, 200);
    await simWait(r, { conference: sid, labels: ['customer', 'operator'], settled: true });
    const current = await api(r, cast.sato.idToken, 'GET', '/api/calls/current');
    assert.equal(current.status, 200, JSON.stringify(current.body));
    assert.equal(current.body.call.sid, sid);
    const lookup = await api(r, cast.sato.idToken, 'GET', `/api/crm/lookup?phone=${encodeURIComponent(CUSTOMER.from)}`);
    assert.equal(lookup.status, 200, JSON.stringify(lookup.body));
    assert.ok(JSON.stringify(lookup.body).includes(CUSTOMER.name), 'the screen pop finds the customer');
  });

  await t.test('the memo is saved while typing and the supervisor sees it on the board', async () => {
    const memo = await api(r, cast.sato.idToken, 'PUT', `/api/memos/${sid}`, { text: '【お客様】請求書の再発行について', response_status: 'callback', version: 0 });
    assert.equal(memo.status, 200, JSON.stringify(memo.body));
    const board = await api(r, cast.ito.idToken, 'GET', '/api/monitor');
    assert.equal(board.status, 200, JSON.stringify(board.body));
    assert.ok(JSON.stringify(board.body).includes('請求書の再発行'), 'the memo as typed is on the board');
    assert.equal((await api(r, cast.sato.idToken, 'GET', '/api/monitor')).status, 403, 'the board is for supervisors');
  });

  await t.test('hold, then a warm transfer with the screen to a second operator, who takes the customer', async () => {
    assert.equal((await api(r, cast.sato.idToken, 'POST', `/api/calls/${sid}/hold`)).status, 204);
    await simWait(r, { call: sid, held: true, settled: true });
    await startShift(r, cast.tanaka);
    const transfer = await api(r, cast.sato.idToken, 'POST', `/api/calls/${sid}/transfer`, {
      to_operator: JSON.parse(Buffer.from(cast.tanaka.idToken.split('.')[1], 'base64url')).sub,
      mode: 'warm',
      screen: { memo: '【お客様】請求書の再発行について', response_status: 'callback', inquiry: { object: 'inquiry', fields: { subject: '請求書の再発行' } } },
    });
    assert.equal(transfer.status, 201, JSON.stringify(transfer.body));
    const ring = await simWait(r, { phone: cast.tanaka.identity });
    const handoffId = ring.ringing.params.handoffId;
    assert.ok(handoffId, 'the screen travels with the transfer');
    const handoff = await api(r, cast.tanaka.idToken, 'GET', `/api/handoffs/${handoffId}`);
    assert.equal(handoff.status, 200, `the target loads the screen: ${JSON.stringify(handoff.body)}`);
    assert.equal(handoff.body.screen.memo, '【お客様】請求書の再発行について');
    assert.equal((await api(r, cast.sato.idToken, 'GET', `/api/handoffs/${handoffId}`)).status, 403, 'the screen is for the target only');
    await sim(r, 'POST', `/sim/phones/${cast.tanaka.identity}/accept`, {});
    await simWait(r, { conference: sid, labels: ['customer', 'operator', 'transfer'], settled: true });
    assert.equal((await api(r, cast.sato.idToken, 'POST', `/api/calls/${sid}/hangup`)).status, 204);
    await simWait(r, { call: sid, held: false, status: 'in-progress', settled: true });
    const live = await api(r, cast.tanaka.idToken, 'GET', `/api/calls/${sid}`);
    assert.equal(live.status, 200, JSON.stringify(live.body));
    assert.equal(live.body.customer_held, false);
  });

  await t.test('the second operator hangs up and the call is in the history with its memo', async () => {
    assert.equal((await api(r, cast.tanaka.idToken, 'POST', `/api/calls/${sid}/hangup`)).status, 204);
    await simWait(r, { call: sid, status: 'completed', settled: true });
    const history = await api(r, cast.tanaka.idToken, 'GET', `/api/history/calls?phone=${encodeURIComponent(CUSTOMER.from)}`);
    assert.equal(history.status, 200, JSON.stringify(history.body));
    const row = JSON.stringify(history.body);
    assert.ok(row.includes(sid), 'the call is listed');
    assert.ok(row.includes('請求書の再発行'), 'with its memo');
  });

  await t.test('the admin manages users on the user pool: a malformed invite is refused naming the field, a disabled user gets no Voice token', async () => {
    const list = await api(r, cast.admin.idToken, 'GET', '/api/users');
    assert.equal(list.status, 200, JSON.stringify(list.body));
    assert.ok(list.body.users.some((u) => u.email === CAST.sato.email && u.role === 'operator'), JSON.stringify(list.body).slice(0, 400));
    assert.equal((await api(r, cast.sato.idToken, 'GET', '/api/users')).status, 403, 'only admins');
    const bad = await api(r, cast.admin.idToken, 'POST', '/api/users', { email: 'not an address', name: '小林 さくら', role: 'operator' });
    assert.equal(bad.status, 422, JSON.stringify(bad.body));
    assert.equal(bad.body.error.field, 'email');
    const invited = await api(r, cast.admin.idToken, 'POST', '/api/users', { email: 'kobayashi@example.jp', name: '小林 さくら', role: 'operator' });
    assert.equal(invited.status, 201, JSON.stringify(invited.body));

    const kato = await signInAs(r, CAST.kato);
    assert.equal((await api(r, kato.idToken, 'GET', '/api/token')).status, 200);
    const katoId = list.body.users.find((u) => u.email === CAST.kato.email)?.id;
    assert.ok(katoId, '加藤 is listed');
    const disabled = await api(r, cast.admin.idToken, 'PUT', `/api/users/${katoId}`, { enabled: false });
    assert.equal(disabled.status, 200, JSON.stringify(disabled.body));
    assert.equal((await api(r, kato.idToken, 'GET', '/api/token')).status, 403, 'no new Voice token');
    await assert.rejects(signInAs(r, CAST.kato), /User is disabled/, 'the sign-in is refused');
  });

  await t.test('Twilio calls the webhooks at the voice function URL: a forged, unsigned or flooding webhook is refused there before the table is read, the page’s origin serves none', async () => {
    const [hooks] = r.functionUrls;
    assert.ok(hooks, 'the stack serves a function URL');
    assert.equal(r.webhookUrl, `https://${hooks.url.domain}`, 'Twilio is given the function URL');
    const voice = r.functions.get(hooks.url.fn.id);
    const sid = `CA${'0'.repeat(32)}`;
    const body = new URLSearchParams({ CallSid: sid, From: CUSTOMER.e164, To: LINE.number, AccountSid: r.credentials.account_sid }).toString();
    const post = (base, headers = {}) =>
      fetch(`${base}/twilio/voice/incoming`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
    assert.equal((await post(r.webhookUrl, { 'x-twilio-signature': 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' })).status, 403, 'a forged signature');
    assert.equal((await post(r.webhookUrl)).status, 403, 'no signature');
    // A burst of unsigned requests while an operator uses the page: every one refused (403, or
    // 429 past the function's reserved concurrency), the page answered all the same.
    const [burst, page] = await Promise.all([
      Promise.all(Array.from({ length: 24 }, () => post(r.webhookUrl).then((res) => res.status))),
      api(r, cast.sato.idToken, 'GET', '/api/operators/me'),
    ]);
    assert.deepEqual([...new Set(burst)].filter((status) => status !== 403 && status !== 429), [], `the burst: ${burst.join(' ')}`);
    assert.equal(page.status, 200, 'the page is answered during the burst');
    const [table] = r.stack.tables;
    const stored = await r.aws.dynamodb.send(new GetItemCommand({ TableName: table.name, Key: { PK: { S: `CALL#${sid}` }, SK: { S: 'CALL' } }, ConsistentRead: true }));
    assert.equal(stored.Item, undefined, 'no refused webhook wrote a call');
    // The page's origin (or the API's own host) no longer reaches the voice function.
    const invoked = voice.invocations;
    const elsewhere = await post(r.apiUrl, { 'x-twilio-signature': 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' });
    assert.ok(elsewhere.status === 403 || elsewhere.status === 404, `the page's origin answers ${elsewhere.status}`);
    assert.equal(voice.invocations, invoked, 'the voice function did not run for it');
  });

  await t.test('nothing failed underneath: no function error, no IAM refusal, no broken Twilio rule', async () => {
    const failures = [...r.functions.values()].flatMap((f) => f.failures.map((m) => `${f.spec.name}: ${m}`));
    assert.deepEqual(failures, []);
    assert.deepEqual(r.iam.denied, []);
    const problems = await sim(r, 'GET', '/sim/problems');
    assert.deepEqual(problems.body, []);
    const serverErrors = [...r.answerCounts()].filter(([k]) => /\b5\d\d\b/.test(k));
    assert.deepEqual(serverErrors, []);
  });

  return cast;
}
