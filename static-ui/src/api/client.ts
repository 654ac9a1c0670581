//! The one HTTP client of the page: JSON in and out, the bearer token on every `/api` call, and
//! the API's error body `{"error": {"code", "message", "field"?, "current"?}}` turned into a
//! typed {@link ApiError}. A 401 goes to the auth module, which renews the token or ends the
//! session — but never during a call, when it keeps the screen and asks for a new sign-in.

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
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** A stale-version conflict (someone else changed it first). */
  get isConflict(): boolean {
    return this.status === 409;
  }
}

type Query = Record<string, string | number | undefined | null>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** Send the bearer token (default true). */
  auth?: boolean;
  signal?: AbortSignal;
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

/** Sends a request and returns the parsed JSON body (or `undefined` for 204). */
export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.auth !== false) {
    const token = currentToken();
    if (!token) throw new ApiError(401, 'unauthorized', 'sign in first');
    headers.authorization = `Bearer ${token}`;
  }
  let res: Response;
  try {
    res = await fetch(url(path, opts.query), {
      method,
      headers,
      body: opts.body === undefined ? null : JSON.stringify(opts.body),
      signal: opts.signal ?? null,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', e instanceof Error ? e.message : String(e));
  }
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
    const e = new ApiError(
      res.status,
      err?.code ?? `http_${res.status}`,
      err?.message ?? res.statusText,
      err?.field,
      err?.current,
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
