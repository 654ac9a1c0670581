//! The `memos` resource: a call's conversation memo and response status, versioned (409 with the
//! current memo when someone saved meanwhile).

import { get, request } from './client';
import type { components } from './schema.gen';

/** A call's memo; `version` is 0 before the first save. */
export type Memo = components['schemas']['Memo'];
type MemoSave = components['schemas']['MemoSave'];

export const getMemo = (call: string) => get<Memo>(`/api/memos/${encodeURIComponent(call)}`);
/** Saves a memo; `keepalive` when the page is being left, so the request outlives it. */
export const saveMemo = (call: string, version: number, text: string, responseStatus: string | null, opts: { keepalive?: boolean } = {}) =>
  request<Memo>('PUT', `/api/memos/${encodeURIComponent(call)}`, {
    body: {
      version,
      text,
      ...(responseStatus ? { response_status: responseStatus } : {}),
    } satisfies MemoSave,
    ...(opts.keepalive ? { keepalive: true } : {}),
  });
