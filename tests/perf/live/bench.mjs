// `tests/bench live`: the live channel against polling, in Debian's Chromium on the local
// runtime (the debug build the browser tests use). For each mode — `polling` (the page with the
// channel kept closed: localStorage console.live=off, the page as it polled before: the live call
// every second, presence every 5 s, the board every 1.5 s, the memo saved 0.8 s after typing
// stops) and `push` — an operator takes a call and types the memo in bursts while a supervisor
// watches the board; the bench prints:
//   - memo keystroke → supervisor's screen: from the last keystroke of a burst (typed in the
//     operator's page) to the text showing on the supervisor's board, p50/p95 over the samples;
//   - requests per operator-hour and per supervisor-hour: the pages' /api requests over the
//     scripted busy period (typing, then a quiet stretch of the same call), per hour;
//   - the live channel's frames per hour (push), and the cost per operator-month at list prices
//     with the assumptions printed.
// A bench, never asserted. usage: node tests/perf/live/bench.mjs [--samples N] [--quiet-seconds S]
import { api, eventually, launchBrowser, newPage, startConsole } from '../../browser/harness.mjs';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const SAMPLES = arg('--samples', 20);
const QUIET_SECONDS = arg('--quiet-seconds', 90);
const CUSTOMER = '03-1234-5678';

const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function sim(url, method, path, body) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Counts a page's /api requests (memo saves apart) and the live channel's frames from `start()` on. */
function meter(page) {
  const m = { requests: 0, memoSaves: 0, frames: 0, counting: false, started: 0 };
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (!m.counting || !path.startsWith('/api/')) return;
    m.requests += 1;
    if (r.method() === 'PUT' && path.startsWith('/api/memos/')) m.memoSaves += 1;
  });
  page.on('websocket', (ws) => {
    ws.on('framereceived', () => m.counting && (m.frames += 1));
    ws.on('framesent', () => m.counting && (m.frames += 1));
  });
  m.start = () => {
    m.requests = 0;
    m.memoSaves = 0;
    m.frames = 0;
    m.counting = true;
    m.started = Date.now();
  };
  m.perHour = (n) => (n * 3_600_000) / (Date.now() - m.started);
  return m;
}

async function signedIn(browser, url, user, path, mode) {
  const page = await newPage(browser);
  if (mode === 'polling') await page.context().addInitScript(() => localStorage.setItem('console.live', 'off'));
  page.meter = meter(page);
  await page.goto(`${url}${path}`);
  await page.locator(`button[data-user="${user}"]`).click();
  return page;
}

async function run(mode) {
  const console_ = await startConsole();
  const browser = await launchBrowser();
  try {
    const url = console_.url;
    const sv = await signedIn(browser, url, 'sv-ito', '/monitor', mode);
    await sv.locator('#monitor').waitFor();
    const op = await signedIn(browser, url, 'op-sato', '/', mode);
    await op.locator('#call-status.call-idle').waitFor();
    const opMeter = op.meter;
    const svMeter = sv.meter;

    await op.selectOption('#info-status', 'available');
    await eventually(async () => (await op.inputValue('#info-status')) === 'available', 8000, 'available');
    const call = (await sim(url, 'POST', '/sim/calls', { from: CUSTOMER })).body.sid;
    await op.locator('#incoming-dialog').waitFor();
    await sim(url, 'POST', '/sim/wait', { timeout_ms: 15_000, phone: 'op_sato' });
    await op.click('#incoming-accept');
    await sim(url, 'POST', '/sim/wait', { timeout_ms: 15_000, conference: call, labels: ['customer', 'operator'], settled: true });
    await op.locator('#call-badge').filter({ hasText: '通話中' }).waitFor();
    await sv.locator('#mon-op-op-sato .mon-memo-text').waitFor();

    opMeter.start();
    svMeter.start();
    const latencies = [];
    const memo = op.locator('#memo-text');
    await memo.click();
    for (let i = 0; i < SAMPLES; i++) {
      const token = `確認${String(i).padStart(3, '0')}`;
      await op.keyboard.type(` ${token}`, { delay: 40 });
      const typed = Date.now();
      await sv.waitForFunction(
        (t) => (document.querySelector('#mon-op-op-sato .mon-memo-text')?.textContent ?? '').includes(t),
        token,
        { polling: 'raf', timeout: 15_000 },
      );
      latencies.push(Date.now() - typed);
      // A pause between bursts (the operator listens), not in step with any polling period.
      await sleep(2000 + Math.random() * 2000);
    }
    await sleep(QUIET_SECONDS * 1000);
    const result = {
      mode,
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      max: Math.max(...latencies),
      operatorPerHour: opMeter.perHour(opMeter.requests),
      operatorMemoSavesPerHour: opMeter.perHour(opMeter.memoSaves),
      supervisorPerHour: svMeter.perHour(svMeter.requests),
      operatorFramesPerHour: opMeter.perHour(opMeter.frames),
      supervisorFramesPerHour: svMeter.perHour(svMeter.frames),
      seconds: (Date.now() - opMeter.started) / 1000,
    };
    await sim(url, 'POST', `/sim/calls/${call}/hangup`);
    await api(url, 'op-sato', 'PUT', '/api/operators/me/status', { status: 'offline' }).catch(() => undefined);
    return result;
  } finally {
    await browser.close();
    await console_.stop();
  }
}

const results = [];
for (const mode of ['polling', 'push']) {
  process.stderr.write(`running ${mode}…\n`);
  results.push(await run(mode));
}
const [poll, push] = results;
const f = (n) => Math.round(n).toLocaleString('en-US');

console.log(`\nLive updates: polling vs push (Chromium, local runtime; ${SAMPLES} memo bursts + ${QUIET_SECONDS} s quiet on one call)\n`);
console.log('| mode | memo → supervisor p50 | p95 | max | /api requests per operator-hour | of which memo saves | per supervisor-hour | WebSocket frames per operator-hour | per supervisor-hour |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  console.log(
    `| ${r.mode} | ${r.p50} ms | ${r.p95} ms | ${r.max} ms | ${f(r.operatorPerHour)} | ${f(r.operatorMemoSavesPerHour)} | ${f(r.supervisorPerHour)} | ${f(r.operatorFramesPerHour)} | ${f(r.supervisorFramesPerHour)} |`,
  );
}
console.log(`\nmemo p95: push ${push.p95} ms vs polling ${poll.p95} ms (${(poll.p95 / push.p95).toFixed(1)}× faster)`);
const reads = (r) => r.operatorPerHour - r.operatorMemoSavesPerHour;
console.log(
  `requests per busy operator-hour: ${f(poll.operatorPerHour)} → ${f(push.operatorPerHour)} (${(poll.operatorPerHour / Math.max(1, push.operatorPerHour)).toFixed(1)}× fewer); ` +
    `without the memo saves the operator types: ${f(reads(poll))} → ${f(reads(push))} (${(reads(poll) / Math.max(1, reads(push))).toFixed(1)}× fewer); ` +
    `per supervisor-hour: ${f(poll.supervisorPerHour)} → ${f(push.supervisorPerHour)} (${(poll.supervisorPerHour / Math.max(1, push.supervisorPerHour)).toFixed(1)}× fewer)`,
);

// Cost per operator-month at list prices (us-east-1 / Tokyo list prices as of 2026; ap-northeast-1
// API Gateway and Lambda prices are the same as us-east-1's first tier).
const HOURS = 8 * 22; // an operator's month: 8 hours a day, 22 days
const SUPERVISOR_SHARE = 1 / 15; // one supervisor's board for every 15 operators
const PRICE = {
  httpApiPerM: 1.0, // HTTP API, per million requests (first 300 M)
  wsMessagePerM: 1.0, // WebSocket API, per million messages (32 KB units)
  wsMinutePerM: 0.25, // WebSocket API, per million connection-minutes
  lambdaPerM: 0.2, // Lambda, per million invocations
  lambdaGbSecond: 0.0000133334, // Lambda arm64, per GB-second
  rruPerM: 0.125, // DynamoDB on-demand, per million read request units
};
const LAMBDA_GB_S = 0.25 * 0.03; // 256 MB for ~30 ms a request
const pollReqMonth = (poll.operatorPerHour + SUPERVISOR_SHARE * poll.supervisorPerHour) * HOURS;
const pollCost =
  (pollReqMonth / 1e6) * (PRICE.httpApiPerM + PRICE.lambdaPerM + 2 * PRICE.rruPerM) + pollReqMonth * LAMBDA_GB_S * PRICE.lambdaGbSecond;
const pushReqMonth = (push.operatorPerHour + SUPERVISOR_SHARE * push.supervisorPerHour) * HOURS;
const framesMonth = (push.operatorFramesPerHour + SUPERVISOR_SHARE * push.supervisorFramesPerHour) * HOURS;
const connMinutes = (1 + SUPERVISOR_SHARE) * HOURS * 60;
// Every pushed frame comes from one stream record mapped by the push function (one invocation per
// record at worst: batches only make it cheaper), which reads one audience partition (1 RRU).
const pushInvocations = framesMonth;
const pushCost =
  (pushReqMonth / 1e6) * (PRICE.httpApiPerM + PRICE.lambdaPerM + 2 * PRICE.rruPerM) +
  pushReqMonth * LAMBDA_GB_S * PRICE.lambdaGbSecond +
  (framesMonth / 1e6) * PRICE.wsMessagePerM +
  (connMinutes / 1e6) * PRICE.wsMinutePerM +
  (pushInvocations / 1e6) * (PRICE.lambdaPerM + PRICE.rruPerM) +
  pushInvocations * LAMBDA_GB_S * PRICE.lambdaGbSecond;
console.log('\nCost of keeping screens current, per operator-month (list prices; assumptions below)');
console.log('| mode | HTTP requests | WebSocket messages | connection-minutes | cost |');
console.log('|---|---|---|---|---|');
console.log(`| polling | ${f(pollReqMonth)} | 0 | 0 | $${pollCost.toFixed(3)} |`);
console.log(`| push | ${f(pushReqMonth)} | ${f(framesMonth)} | ${f(connMinutes)} | $${pushCost.toFixed(3)} |`);
console.log(
  `assumptions: ${HOURS} busy hours a month (8 h × 22 days) at the measured rates; one supervisor board per ${1 / SUPERVISOR_SHARE} operators; ` +
    `HTTP API $${PRICE.httpApiPerM}/M requests; WebSocket $${PRICE.wsMessagePerM}/M messages (every frame < 32 KB, pings included) and ` +
    `$${PRICE.wsMinutePerM}/M connection-minutes; Lambda $${PRICE.lambdaPerM}/M invocations + 256 MB × 30 ms at $${PRICE.lambdaGbSecond}/GB-s; ` +
    `DynamoDB $${PRICE.rruPerM}/M RRU, 2 RRU per API request, 1 per pushed frame; stream reads by Lambda are free; ` +
    'one push invocation per frame (an upper bound: the stream batches records).',
);
