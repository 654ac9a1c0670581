//! The `history` resource: response history (対応履歴) — calls and records linked to a phone
//! number, an account or a contact, newest first. A call whose caller left a voicemail or asked
//! to be called back carries that task; a voicemail left while the line was closed (no call of
//! its own) is listed as a call of status `voicemail`.

import { get } from './client';
import type { components } from './schema.gen';

type Schemas = components['schemas'];

/** Exactly one of phone, account or contact. */
export type HistorySubject = { phone: string } | { account: string } | { contact: string };

export interface PageOpts {
  limit?: number;
  cursor?: string;
}

/** A page of calls, optionally only those whose memo or live transcript holds `q`. */
export interface CallPageOpts extends PageOpts {
  q?: string;
}

/** A history row: the call, with the task its caller left, if any. */
export type HistoryCall = Schemas['HistoryCall'];

/** Calls of a number or an account (the API lists calls by those two only). */
export const calls = (subject: { phone: string } | { account: string }, opts: CallPageOpts = {}) =>
  get<Schemas['Paged_HistoryCall']>('/api/history/calls', { ...subject, ...opts });

/** Records of one object linked to a number, an account or a contact. */
export const records = (object: string, subject: HistorySubject, opts: PageOpts = {}) =>
  get<Schemas['Paged_Record']>(`/api/history/records/${encodeURIComponent(object)}`, { ...subject, ...opts });
