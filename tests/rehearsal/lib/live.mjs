// The live channel walk both templates are rehearsed with: a client on the internet opens the
// channel as the page does (subprotocols `console.v1` and `bearer.<ID token>`), on the page's
// origin at /live when the stack has a distribution, on the WebSocket API's own stage otherwise,
// and hears what the table's stream pushes.

import assert from 'node:assert/strict';
import { connect as tlsConnect } from 'node:tls';
import WebSocket from 'ws';
import { api, signInAs } from './client.mjs';
import { CAST } from './stacks.mjs';
import { LINE } from './walk.mjs';

/** Where a client opens the channel: the page's origin (through CloudFront) or the API's stage. */
export function liveUrl(r) {
  const [socket] = r.sockets;
  assert.ok(socket, 'the template has a WebSocket API');
  return r.pageUrl ? new URL(`/${socket.stage.StageName}`, r.pageUrl).href.replace(/^https:/, 'wss:') : `${socket.api.endpoint}/${socket.stage.StageName}`;
}

/**
 * Opens the channel through the rehearsal's front; resolves with the socket and the frames it
 * hears, or with the handshake's refusal status.
 */
export function openLive(r, protocols) {
  const url = new URL(liveUrl(r));
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.href, protocols, {
      createConnection: () => tlsConnect({ host: '127.0.0.1', port: r.frontPort, servername: url.hostname, ca: r.certs.ca, ALPNProtocols: ['http/1.1'] }),
      handshakeTimeout: 15_000,
    });
    const frames = [];
    const waiters = new Set();
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString('utf8'));
      frames.push(frame);
      for (const w of waiters) w();
    });
    ws.once('open', () =>
      resolve({
        ws,
        frames,
        protocol: ws.protocol,
        /** The first frame from now on (or already heard, from `since`) that `test` accepts. */
        async next(test, ms = 8000, since = frames.length) {
          const until = Date.now() + ms;
          for (;;) {
            const found = frames.slice(since).find(test);
            if (found) return found;
            if (Date.now() > until) throw new Error(`no such frame within ${ms} ms; heard ${JSON.stringify(frames.slice(since))}`);
            await new Promise((done) => {
              const w = () => (waiters.delete(w), done());
              waiters.add(w);
              setTimeout(w, 200);
            });
          }
        },
        send: (message) => ws.send(JSON.stringify(message)),
        close: () => new Promise((done) => (ws.once('close', done), ws.close(1000))),
      }),
    );
    ws.once('unexpected-response', (_req, res) => resolve({ refused: res.statusCode }));
    ws.once('error', (e) => reject(e));
  });
}

/** Runs the walk; `t` is the node:test context. */
export async function walkTheLiveChannel(r, t) {
  const [socket] = r.sockets;
  const routes = [...r.functions.values()].find((f) => socket.routes.get('$connect')?.fn.id === f.spec.id);
  const sato = await signInAs(r, CAST.sato);
  const admin = await signInAs(r, CAST.admin);

  await t.test('the channel refuses a connection without a valid ID token before any route runs', async () => {
    const before = routes.invocations;
    assert.deepEqual(await openLive(r, ['console.v1']), { refused: 401 }, 'no token offered');
    const [h, p, sig] = sato.idToken.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url'));
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, 'cognito:groups': ['admin'] })).toString('base64url')}.${sig}`;
    assert.deepEqual(await openLive(r, ['console.v1', `bearer.${forged}`]), { refused: 401 }, 'a token whose claims were changed');
    assert.equal(routes.invocations, before, '$connect never ran for a refused connection');
    // The authorizer refused them: its failures are the refusals, nothing else.
    const authorizer = [...r.functions.values()].find((f) => socket.routes.get('$connect').authorizer.fn.id === f.spec.id);
    assert.ok(authorizer.failures.length >= 1 && authorizer.failures.every((m) => /Unauthorized/.test(m)), authorizer.failures.join('; '));
  });

  await t.test('an operator’s channel hears an admin’s settings change, pushed from the table’s stream', async () => {
    const live = await openLive(r, ['console.v1', `bearer.${sato.idToken}`]);
    assert.equal(live.protocol, 'console.v1', 'the handshake accepts the protocol, never echoing the token');
    live.send({ action: 'subscribe', topics: ['board'] });
    const refused = await live.next((f) => f.type === 'error');
    assert.equal(refused.code, 'forbidden_topic', 'an operator may not hear the supervisors’ board');
    live.send({ action: 'subscribe', topics: ['settings', 'presence'] });
    assert.deepEqual((await live.next((f) => f.type === 'subscribed')).topics.sort(), ['presence', 'settings']);
    live.send({ action: 'ping' });
    await live.next((f) => f.type === 'pong');
    live.send({ hello: 'there' });
    assert.equal((await live.next((f) => f.type === 'error')).code, 'unknown_action');

    const pushes = r.streams.reduce((n, m) => n + m.stats.invocations, 0);
    const mark = live.frames.length;
    const settings = await api(r, admin.idToken, 'GET', '/api/settings');
    assert.equal(settings.status, 200, JSON.stringify(settings.body));
    const second = { id: 'support', number: '+81368000002', label: 'サポート' };
    const saved = await api(r, admin.idToken, 'PUT', '/api/settings/lines', { version: settings.body.versions?.lines ?? 0, value: [LINE, second] });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    const heard = await live.next((f) => f.type === 'settings_changed', 8000, mark);
    assert.equal(heard.section, 'lines');
    assert.ok(r.streams.reduce((n, m) => n + m.stats.invocations, 0) > pushes, 'the push function was invoked from the stream');
    assert.ok(socket.posted.some((p) => /settings_changed/.test(p.data)), 'posted through @connections');
    const disconnects = socket.counts.get('$disconnect') ?? 0;
    await live.close();
    const until = Date.now() + 5000;
    while ((socket.counts.get('$disconnect') ?? 0) === disconnects && Date.now() < until) await new Promise((done) => setTimeout(done, 100));
    assert.equal(socket.counts.get('$disconnect'), disconnects + 1, '$disconnect ran when the page closed the channel');
  });

  await t.test('nothing on the channel failed underneath', () => {
    assert.deepEqual([...socket.counts].filter(([k]) => /^5\d\d/.test(k)), []);
    assert.deepEqual(r.iam.denied.filter((d) => /execute-api|dynamodb:(GetRecords|GetShardIterator|DescribeStream)/.test(d)), []);
    for (const m of r.streams) assert.equal(m.stats.dropped, 0, `${m.mapping.id} dropped records`);
    console.log(`[live] stream: ${JSON.stringify(r.streams.map((m) => m.stats))}; gateway: ${JSON.stringify(Object.fromEntries(socket.counts))}`);
  });
}
