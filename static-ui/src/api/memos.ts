//! The `memos` resource: a call's conversation memo and response status, versioned (409 with the
//! current memo when someone saved meanwhile).

import { get, put } from './client';

export interface Memo {
  call_sid: string;
  text: string;
  response_status?: string;
  /** 0 before the first save. */
  version: number;
  updated_at?: string;
  updated_by?: string;
}

export const getMemo = (call: string) => get<Memo>(`/api/memos/${encodeURIComponent(call)}`);
export const saveMemo = (call: string, version: number, text: string, responseStatus: string | null) =>
  put<Memo>(`/api/memos/${encodeURIComponent(call)}`, {
    version,
    text,
    ...(responseStatus ? { response_status: responseStatus } : {}),
  });
