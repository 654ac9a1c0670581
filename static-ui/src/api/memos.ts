//! The `memos` resource: a call's conversation memo and response status, versioned (409 with the
//! current memo when someone saved meanwhile).

import { get, request } from './client';
import type { components } from './schema.gen';

/** A call's memo; `version` is 0 before the first save. */
export type Memo = components['schemas']['Memo'];
type MemoSave = components['schemas']['MemoSave'];

export const getMemo = (call: string) => get<Memo>(`/api/memos/${encodeURIComponent(call)}`);
/**
 * Saves a memo on the version it is based on; `changesStatus` when its response status differs
 * from that version's (one write on the server), `keepalive` when the page is being left, so
 * the request outlives it.
 */
export const saveMemo = (
  call: string,
  memo: { version: number; text: string; responseStatus: string | null; changesStatus: boolean },
  opts: { keepalive?: boolean } = {},
) =>
  request<Memo>('PUT', `/api/memos/${encodeURIComponent(call)}`, {
    body: {
      version: memo.version,
      text: memo.text,
      ...(memo.responseStatus ? { response_status: memo.responseStatus } : {}),
      ...(memo.changesStatus ? { changes_status: true } : {}),
    } satisfies MemoSave,
    ...(opts.keepalive ? { keepalive: true } : {}),
  });
