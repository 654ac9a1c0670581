//! The `calls` resource: the operator's live call under `/api/calls` (live state, hold, unhold,
//! consultation call, transfer, hang-up, rejoin) and the screen transfers under `/api/handoffs`.

import { del, get, post } from './client';
import type { FieldValue } from './types';

/** One conference participant as the call record last heard of it. */
export interface Participant {
  label?: string;
  call_sid?: string;
  /** `joined` or `left`. */
  state?: string;
  hold?: boolean;
  muted?: boolean;
}

export type TransferMode = 'warm' | 'cold';
export type TransferState = 'ringing' | 'answered' | 'completed' | 'failed' | 'canceled';

/** A transfer as the page follows it (the last one stays on the call after it ended). */
export interface Transfer {
  id: string;
  mode: TransferMode;
  state: TransferState;
  to_operator: string;
  to_name: string;
  from_operator: string;
  from_name: string;
  from_left: boolean;
  handoff_id?: string;
  started_at: string;
  answered_at?: string;
  ended_at?: string;
  /** `no_answer`, `busy`, `failed`, `canceled`, `timeout`, `target_left`, `call_ended`, `not_rung`. */
  reason?: string;
}

/** The call record inside a live call (a call summary plus bookkeeping). */
export interface LiveCallRecord {
  sid: string;
  direction: 'inbound' | 'outbound';
  customer?: string;
  customer_display?: string;
  line?: string;
  status: string;
  operator_id?: string;
  operator_name?: string;
  account_id?: string;
  contact_id?: string;
  started_at?: string;
  answered_at?: string;
  ended_at?: string;
  /** On a recorded line: Twilio's recording status (`in-progress`, `completed`, …). */
  recording_status?: string;
  /** Whether the operator paused the recording (a card number read out). */
  recording_paused?: boolean;
}

/** `GET /api/calls/{id}`: a call as its operator (or a transfer's target) follows it. */
export interface LiveCall {
  call: LiveCallRecord;
  participants: Participant[];
  customer_held: boolean;
  held?: string[];
  /** The leg label of the call's operator now (`operator`, or `transfer` after a transfer). */
  operator_label?: string;
  consult_in_progress?: boolean;
  transfer_in_progress?: boolean;
  transfer?: Transfer | null;
  orphaned_since?: string | null;
  reconnecting?: boolean;
}

/** What the first operator's screen showed, sent with a transfer (画面転送). */
export interface ScreenTransfer {
  account_id?: string;
  contact_id?: string;
  special_notes?: { label: string; value: string }[];
  memo?: string;
  response_status?: string;
  inquiry?: { object: string; fields: Record<string, FieldValue> };
}

/** A screen transfer as the target's page loads it. */
export interface Handoff {
  id: string;
  call_sid: string;
  transfer_id: string;
  from_operator: string;
  from_name: string;
  to_operator: string;
  created_at: string;
  valid_until: string;
  screen: ScreenTransfer;
}

const path = (call: string, action = '') => `/api/calls/${encodeURIComponent(call)}${action}`;

/** My live call, or `null` (after a reload the page offers to rejoin it). */
export const currentCall = () => get<LiveCall | null>('/api/calls/current');
export const liveCall = (call: string) => get<LiveCall>(path(call));
export const hold = (call: string) => post<undefined>(path(call, '/hold'), {});
export const unhold = (call: string) => post<undefined>(path(call, '/unhold'), {});
/** Calls a third party while the customer is held (409 `not_on_hold` otherwise). */
export const consult = (call: string, to: string, lineId: string) =>
  post<undefined>(path(call, '/consult'), { to, line_id: lineId });
/** Hangs the consultation call up; the customer stays held. */
export const endConsult = (call: string) => del<undefined>(path(call, '/consult'));
/** Ends the call for everyone; during a transfer, only my leg leaves. */
export const hangup = (call: string) => post<undefined>(path(call, '/hangup'), {});
/** Pauses or resumes the recording (409 `not_recording` on a call that is not recorded). */
export const setRecording = (call: string, action: 'pause' | 'resume') =>
  post<undefined>(path(call, '/recording'), { action });
/** Rings my softphone back into my own live call. */
export const rejoin = (call: string) => post<undefined>(path(call, '/rejoin'), {});
export const transfer = (call: string, body: { to_operator: string; mode: TransferMode; screen?: ScreenTransfer }) =>
  post<Transfer>(path(call, '/transfer'), body);
/** Calls off a warm transfer; the customer stays held with me. */
export const cancelTransfer = (call: string) => del<Transfer>(path(call, '/transfer'));
export const handoff = (id: string) => get<Handoff>(`/api/handoffs/${encodeURIComponent(id)}`);
