// The HTTP client's answer to 429 and 503: which requests are tried again, how long it waits
// (full jitter from a seeded random, Retry-After honoured, never past the cap), and how polling
// is slowed. A fake fetch answers from a script; waits are recorded instead of slept.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { session } from '../auth';
import { ApiError, MAX_WAIT_MS, get, parseRetryAfter, pollPenaltyMs, put, post, request, resetThrottle, retryDelayMs, transport } from './client';
import { hangup } from './calls';

type Answer = { status: number; body?: unknown; headers?: Record<string, string> } | 'network';

const original = { ...transport };
let sent: { method: string; url: string }[] = [];
let slept: number[] = [];
let clock = 1_000_000;

/** A seeded random (mulberry32): the same jitter on every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Answers the requests in order from `answers` (the last one repeats). */
function script(answers: Answer[]): void {
  let i = 0;
  transport.fetch = (input, init) => {
    sent.push({ method: init?.method ?? 'GET', url: typeof input === 'string' ? input : input instanceof URL ? input.href : input.url });
    const a = answers[Math.min(i++, answers.length - 1)];
    if (a === 'network') return Promise.reject(new TypeError('Failed to fetch'));
    const body = a.body === undefined ? null : JSON.stringify(a.body);
    return Promise.resolve(new Response(a.status === 204 ? null : body, { status: a.status, headers: a.headers ?? {} }));
  };
}

beforeEach(() => {
  sent = [];
  slept = [];
  clock = 1_000_000;
  resetThrottle();
  transport.random = seeded(42);
  transport.now = () => clock;
  transport.sleep = (ms) => {
    slept.push(ms);
    clock += ms;
    return Promise.resolve();
  };
  session.value = { token: 'test-token', user: { id: 'op-sato', name: '佐藤', role: 'operator' }, expiresAt: null };
});

afterEach(() => {
  Object.assign(transport, original);
  resetThrottle();
});

const unavailable: Answer = { status: 503, body: { error: { code: 'unavailable', message: 'the store is unavailable' } } };
const throttled: Answer = { status: 429, body: { message: 'Too Many Requests' } };

describe('a read answered 429 or 503', () => {
  it('is tried again with growing, jittered waits and succeeds when the API recovers', async () => {
    script([throttled, unavailable, { status: 200, body: { ok: true } }]);
    expect(await get<{ ok: boolean }>('/api/operators/me')).toEqual({ ok: true });
    expect(sent).toHaveLength(3);
    // Full jitter: each wait anywhere from 0 up to 0.5 s, then 1 s.
    expect(slept).toHaveLength(2);
    expect(slept[0]).toBeGreaterThanOrEqual(0);
    expect(slept[0]).toBeLessThan(500);
    expect(slept[1]).toBeLessThan(1000);
    // The same seed gives the same waits.
    const again = seeded(42);
    expect(slept).toEqual([retryDelayMs(0, again), retryDelayMs(1, again)]);
  });

  it('gives up after three tries with the last error', async () => {
    script([unavailable]);
    const e = await get('/api/calls/current').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).status).toBe(503);
    expect((e as ApiError).code).toBe('unavailable');
    expect(sent).toHaveLength(3);
  });

  it('waits as long as Retry-After says', async () => {
    script([{ ...throttled, headers: { 'retry-after': '2' } }, { status: 200, body: [] }]);
    await get('/api/operators');
    expect(slept).toEqual([2000]);
  });

  it('is not tried again when Retry-After asks for longer than the cap', async () => {
    script([{ ...throttled, headers: { 'retry-after': String(MAX_WAIT_MS / 1000 + 1) } }, { status: 200, body: [] }]);
    const e = (await get('/api/operators').catch((x: unknown) => x)) as ApiError;
    expect(e.status).toBe(429);
    expect(e.code).toBe('throttled');
    expect(e.retryAfterMs).toBe(MAX_WAIT_MS + 1000);
    expect(sent).toHaveLength(1);
    expect(slept).toEqual([]);
  });

  it('never waits longer than the cap in all, whatever the random draws', async () => {
    transport.random = () => 0.999_999;
    script([unavailable]);
    await get('/api/operators').catch(() => undefined);
    expect(slept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(MAX_WAIT_MS);
  });
});

describe('a write answered 429 or 503', () => {
  it('is tried again when it carries the version it is based on (a repeat is refused as stale)', async () => {
    script([unavailable, { status: 200, body: { call_sid: 'CA1', text: 'x', version: 3 } }]);
    await put('/api/memos/CA1', { version: 2, text: 'x' });
    expect(sent.map((s) => s.method)).toEqual(['PUT', 'PUT']);
  });

  it('is tried again when it says repeating it is harmless', async () => {
    script([throttled, { status: 200, body: { status: 'away' } }]);
    await request('PUT', '/api/operators/me/status', { body: { status: 'away' }, retry: true });
    expect(sent).toHaveLength(2);
  });

  it('is tried again when it is a hang-up (a second one ends nothing more)', async () => {
    script([unavailable, { status: 204 }]);
    await hangup('CA1');
    expect(sent.map((s) => `${s.method} ${s.url}`)).toEqual(['POST /api/calls/CA1/hangup', 'POST /api/calls/CA1/hangup']);
  });

  it('is not repeated otherwise, and its 429 says the service is busy', async () => {
    script([throttled, { status: 204 }]);
    const e = (await post('/api/calls/CA1/hold', {}).catch((x: unknown) => x)) as ApiError;
    expect(sent).toHaveLength(1);
    expect(e.status).toBe(429);
    expect(e.code).toBe('throttled');
    expect(e.isTransient).toBe(true);
  });

  it('is not repeated after a network error either (it may have landed)', async () => {
    script(['network', { status: 204 }]);
    const e = (await post('/api/calls/CA1/hangup', {}).catch((x: unknown) => x)) as ApiError;
    expect(e.status).toBe(0);
    expect(sent).toHaveLength(1);
  });

  it('other refusals are not tried again', async () => {
    script([{ status: 409, body: { error: { code: 'stale_version', message: 'stale', current: { version: 4 } } } }]);
    const e = (await put('/api/memos/CA1', { version: 2, text: 'x' }).catch((x: unknown) => x)) as ApiError;
    expect(e.code).toBe('stale_version');
    expect(sent).toHaveLength(1);
  });
});

describe('polling while throttled', () => {
  it('slows down after 429s, more with each one in a row, and not past a minute', async () => {
    expect(pollPenaltyMs()).toBe(0);
    script([throttled]);
    await post('/api/calls/CA1/hold', {}).catch(() => undefined);
    const first = pollPenaltyMs();
    expect(first).toBe(2000);
    await post('/api/calls/CA1/hold', {}).catch(() => undefined);
    expect(pollPenaltyMs()).toBe(4000);
    for (let i = 0; i < 10; i++) await post('/api/calls/CA1/hold', {}).catch(() => undefined);
    expect(pollPenaltyMs()).toBe(60_000);
  });

  it('follows Retry-After when it asks for longer', async () => {
    script([{ ...throttled, headers: { 'retry-after': '30' } }]);
    await post('/api/calls/CA1/hold', {}).catch(() => undefined);
    expect(pollPenaltyMs()).toBe(30_000);
  });

  it('goes back to normal once a request goes through', async () => {
    script([throttled, { status: 200, body: {} }]);
    await post('/api/calls/CA1/hold', {}).catch(() => undefined);
    expect(pollPenaltyMs()).toBeGreaterThan(0);
    await get('/api/operators/me');
    expect(pollPenaltyMs()).toBe(0);
  });

  it('wears off with time', async () => {
    script([throttled]);
    await post('/api/calls/CA1/hold', {}).catch(() => undefined);
    clock += 2500;
    expect(pollPenaltyMs()).toBe(0);
  });
});

describe('Retry-After', () => {
  it('is read as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('3', 0)).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
