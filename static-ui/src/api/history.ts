//! The `history` resource: response history (対応履歴) — calls and records linked to a phone
//! number, an account or a contact, newest first.

import { get } from './client';
import type { components } from './schema.gen';

type Schemas = components['schemas'];

/** Exactly one of phone, account or contact. */
export type HistorySubject = { phone: string } | { account: string } | { contact: string };

export interface PageOpts {
  limit?: number;
  cursor?: string;
}

/** Calls of a number or an account (the API lists calls by those two only). */
export const calls = (subject: { phone: string } | { account: string }, opts: PageOpts = {}) =>
  get<Schemas['Paged_CallSummary']>('/api/history/calls', { ...subject, ...opts });

/** Records of one object linked to a number, an account or a contact. */
export const records = (object: string, subject: HistorySubject, opts: PageOpts = {}) =>
  get<Schemas['Paged_Record']>(`/api/history/records/${encodeURIComponent(object)}`, { ...subject, ...opts });
