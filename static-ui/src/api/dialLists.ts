//! The `dial-lists` resource as an operator works it: the call lists (架電リスト), the queue of
//! targets to call next, leasing one (so no two operators call the same target), giving it back,
//! and recording the call's result.

import { get, post, request } from './client';
import type { Paged } from './types';

export type TargetState = 'not_called' | 'in_progress' | 'no_answer' | 'done' | 'callback';
export type Outcome = 'done' | 'no_answer' | 'callback';

export interface Counts {
  not_called: number;
  in_progress: number;
  no_answer: number;
  done: number;
  callback: number;
  total: number;
}

export interface DialList {
  id: string;
  name: string;
  description?: string;
  line_id: string;
  script_id?: string;
  version: number;
  counts: Counts;
}

export interface TargetResult {
  attempt: number;
  at: string;
  operator_name: string;
  outcome: Outcome;
  response_status: string;
  memo?: string;
  call_sid?: string;
  callback_at?: string;
}

export interface Target {
  id: string;
  list_id: string;
  state: TargetState;
  /** E.164. */
  phone: string;
  phone_display: string;
  name: string;
  account_name?: string;
  contact_name?: string;
  account_id?: string;
  contact_id?: string;
  notes?: string;
  extra: { column: string; value: string }[];
  callback_at?: string;
  lease?: { operator_id: string; operator_name: string; expires_at: string; expired: boolean };
  attempts: number;
  last_result?: TargetResult;
}

/** A target leased to me, with the line (and talk script) to dial it with. */
export interface Lease {
  target: Target;
  line: { id: string; number: string; display: string; label: string };
  script_id?: string;
  expires_at: string;
}

export interface ResultInput {
  call_sid?: string;
  response_status: string;
  memo?: string;
  outcome: Outcome;
  /** RFC 3339, in the future; required for `callback`. */
  callback_at?: string;
}

const base = (list: string) => `/api/dial-lists/${encodeURIComponent(list)}`;
const target = (list: string, id: string) => `${base(list)}/targets/${encodeURIComponent(id)}`;

export const listLists = () => get<Paged<DialList>>('/api/dial-lists', { limit: 50 });
export const readList = (list: string) => get<DialList>(base(list));
/** Due callbacks, then abandoned leases, then targets not called yet. */
export const queue = (list: string) => get<Paged<Target>>(`${base(list)}/queue`, { limit: 30 });
/** 409 `target_leased` when another operator holds it, `target_done` when it is finished. */
export const lease = (list: string, id: string) => post<Lease>(`${target(list, id)}/lease`, {});
/** The next target nobody holds; `undefined` (204) when nothing is left to call. */
export const leaseNext = (list: string) => request<Lease | undefined>('POST', `${base(list)}/lease-next`, { body: {} });
export const release = (list: string, id: string) => post<Target>(`${target(list, id)}/release`, {});
export const recordResult = (list: string, id: string, input: ResultInput) => post<Target>(`${target(list, id)}/result`, input);
