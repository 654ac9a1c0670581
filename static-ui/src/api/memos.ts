//! The `memos` resource: a call's conversation memo and response status, versioned (409 with the
//! current memo when someone saved meanwhile).

import { get, put } from './client';
import type { components } from './schema.gen';

/** A call's memo; `version` is 0 before the first save. */
export type Memo = components['schemas']['Memo'];
type MemoSave = components['schemas']['MemoSave'];

export const getMemo = (call: string) => get<Memo>(`/api/memos/${encodeURIComponent(call)}`);
export const saveMemo = (call: string, version: number, text: string, responseStatus: string | null) =>
  put<Memo>(`/api/memos/${encodeURIComponent(call)}`, {
    version,
    text,
    ...(responseStatus ? { response_status: responseStatus } : {}),
  } satisfies MemoSave);
