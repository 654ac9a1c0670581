//! The one HTTP client of the page: JSON in and out, the bearer token on every `/api` call, and
//! the API's error body `{"error": {"code", "message", "field"?, "current"?}}` turned into a
//! typed {@link ApiError}. A 401 goes to the auth module, which renews the token or ends the
//! session — but never during a call, when it keeps the screen and asks for a new sign-in.
//!
//! A 429 (the stage throttle) or 503 (a store or function briefly unavailable) is tried again
//! when repeating the request cannot do anything twice: a read, or a write that carries the
//! version it is based on (a repeat of a write that did land is refused as stale, never applied
//! twice), or one marked `retry` (setting the same status again). At most {@link MAX_TRIES}
//! tries, waiting with exponential back-off and full jitter, or as long as `Retry-After` says
//! when that fits in {@link MAX_WAIT_MS}. Any other write is not repeated: its 429 is reported
//! as `throttled` (「混み合っています…」) and the operator decides. Every 429 also slows the
//! page's polling ({@link pollPenaltyMs}) until requests go through again.

import { apiBase } from '../config';
import { currentToken, unauthorized } from '../auth';

/** An error the API answered (or `network` when it could not be reached). */
export class ApiError extends Error {
  constructor(
    /** HTTP status; 0 when the request never got an answer. */
    readonly status: number,
    /** The API's error code (`invalid_phone`, `stale_version`, …). */
    readonly code: string,
    /** The API's own message (English), the fallback when the page has no translation. */
    message: string,
    /** The field the error is about (422). */
    readonly field?: string,
    /** The current state of the thing (409). */
    readonly current?: unknown,
    /** How long the server asked to wait before trying again (`Retry-After`, 429 and 503). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** A stale-version conflict (someone else changed it first). */
  get isConflict(): boolean {
    return this.status === 409;
  }

  /** Whether the same request may succeed later: unreachable, throttled or unavailable. */
  get isTransient(): boolean {
    return this.status === 0 || this.status === 429 || this.status === 502 || this.status === 503 || this.status === 504;
  }
}

/** Tries of one request at most (the first and two more). */
export const MAX_TRIES = 3;
/** The most one request waits between its tries, in all. */
export const MAX_WAIT_MS = 8000;
/** The first retry waits up to this long; each further one up to twice as long. */
const FIRST_RETRY_MS = 500;
/** The most the page's polling is slowed after 429s. */
const MAX_POLL_PENALTY_MS = 60_000;

/** What the client uses of the world, replaced by tests (a fake fetch, a seeded random, a clock). */
export const transport: {
  fetch: typeof fetch;
  random: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  now: () => number;
} = {
  fetch: (input, init) => fetch(input, init),
  random: Math.random,
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new DOMException('aborted', 'AbortError'));
        return;
      }
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          reject(new DOMException('aborted', 'AbortError'));
        },
        { once: true },
      );
    }),
  now: () => Date.now(),
};

/** The wait before retry `n` (0 first): full jitter, uniformly up to 0.5 s, 1 s, 2 s, … */
export function retryDelayMs(n: number, random: () => number = transport.random): number {
  return Math.floor(random() * FIRST_RETRY_MS * 2 ** Math.min(n, 10));
}

/** `Retry-After` in ms (seconds or an HTTP date), or `undefined` when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = transport.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

let throttledInARow = 0;
let penaltyUntil = 0;

function throttled(retryAfterMs: number | undefined): void {
  throttledInARow++;
  const grown = Math.min(MAX_POLL_PENALTY_MS, 2000 * 2 ** Math.min(throttledInARow - 1, 10));
  penaltyUntil = Math.max(penaltyUntil, transport.now() + Math.max(grown, retryAfterMs ?? 0));
}

/**
 * How much longer polling loops should wait before their next read: 0 normally; after 429s, a
 * wait that doubles with each one in a row (2 s, 4 s, … up to a minute, or `Retry-After`),
 * back to 0 once a request goes through.
 */
export function pollPenaltyMs(): number {
  return Math.max(0, penaltyUntil - transport.now());
}

/** Forgets the 429s seen (tests). */
export function resetThrottle(): void {
  throttledInARow = 0;
  penaltyUntil = 0;
}

/** Whether repeating this request cannot do anything twice. */
function repeatable(method: string, opts: RequestOptions): boolean {
  if (opts.retry !== undefined) return opts.retry;
  if (method === 'GET' || method === 'HEAD') return true;
  const body = opts.body;
  const versioned = (o: unknown) => !!o && typeof o === 'object' && typeof (o as { version?: unknown }).version === 'number';
  return versioned(body) || (opts.query?.version !== undefined && opts.query.version !== null);
}

type Query = Record<string, string | number | undefined | null>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** Send the bearer token (default true). */
  auth?: boolean;
  signal?: AbortSignal;
  /**
   * Whether a 429 or 503 is tried again. By default reads are, and writes that carry a
   * `version`; set it for a write that does the same however often it is sent.
   */
  retry?: boolean;
  /** Let the request outlive the page (a save sent as the page is left). */
  keepalive?: boolean;
}

interface ErrorBody {
  error?: { code?: string; message?: string; field?: string; current?: unknown };
}

function url(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  return `${apiBase()}${path}${qs ? `?${qs}` : ''}`;
}

/**
 * Sends a request and returns the parsed JSON body (or `undefined` for 204); a 429 or 503 is
 * tried again when the request may be repeated (see the module doc).
 */
export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const again = repeatable(method, opts);
  let waited = 0;
  for (let n = 0; ; n++) {
    try {
      return await once<T>(method, path, opts);
    } catch (e) {
      if (!(e instanceof ApiError) || (e.status !== 429 && e.status !== 503)) throw e;
      if (!again || n + 1 >= MAX_TRIES) throw e;
      const wait = e.retryAfterMs ?? retryDelayMs(n);
      if (waited + wait > MAX_WAIT_MS) throw e;
      waited += wait;
      await transport.sleep(wait, opts.signal);
    }
  }
}

/** One try of a request. */
async function once<T>(method: string, path: string, opts: RequestOptions): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.auth !== false) {
    const token = currentToken();
    if (!token) throw new ApiError(401, 'unauthorized', 'sign in first');
    headers.authorization = `Bearer ${token}`;
  }
  let res: Response;
  try {
    res = await transport.fetch(url(path, opts.query), {
      method,
      headers,
      body: opts.body === undefined ? null : JSON.stringify(opts.body),
      signal: opts.signal ?? null,
      ...(opts.keepalive ? { keepalive: true } : {}),
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', e instanceof Error ? e.message : String(e));
  }
  if (res.status === 429) throttled(parseRetryAfter(res.headers.get('retry-after')));
  else if (res.ok) resetThrottle();
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let body: unknown = undefined;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }
  if (!res.ok) {
    const err = (body as ErrorBody | undefined)?.error;
    const after = res.status === 429 || res.status === 503 ? parseRetryAfter(res.headers.get('retry-after')) : undefined;
    // API Gateway's throttle answers `{"message": "Too Many Requests"}`, without our error body.
    const e = new ApiError(
      res.status,
      err?.code ?? (res.status === 429 ? 'throttled' : `http_${res.status}`),
      err?.message ?? (res.statusText || (res.status === 429 ? 'too many requests' : '')),
      err?.field,
      err?.current,
      after,
    );
    if (res.status === 401 && opts.auth !== false) unauthorized();
    throw e;
  }
  return body as T;
}

export const get = <T>(path: string, query?: Query, signal?: AbortSignal) =>
  request<T>('GET', path, { ...(query ? { query } : {}), ...(signal ? { signal } : {}) });
export const post = <T>(path: string, body: unknown) => request<T>('POST', path, { body });
export const put = <T>(path: string, body: unknown) => request<T>('PUT', path, { body });
export const del = <T>(path: string, query?: Query) => request<T>('DELETE', path, query ? { query } : {});
