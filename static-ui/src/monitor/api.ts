//! The `monitor` resource (supervisors and admins only): the live board — every operator with
//! their status and call, the memo as it is typed, the queue and today's figures — and joining
//! a live call to listen, whisper or barge in, and releasing an operator stuck on a call that
//! has ended (shared/src/domain/monitor.rs, shared/src/control/reconcile.rs,
//! functions/operators/src/monitor.rs).

import { del, get, post } from '../api/client';

/** How a supervisor is on a call: hearing it muted, coaching the operator, or talking to both. */
export type MonitorMode = 'listen' | 'whisper' | 'barge';

/** An operator's live call as the board shows it. */
export interface BoardCall {
  /** The customer's CallSid: the id of every call route. */
  sid: string;
  direction: 'inbound' | 'outbound';
  /** Our line (E.164): the number called, or the caller ID used. */
  line?: string;
  /** E.164. */
  customer?: string;
  /** National form (`03-1234-5678`). */
  customer_display?: string;
  account_id?: string;
  contact_id?: string;
  /** When the operator and the customer were connected; absent while it rings. */
  answered_at?: string;
  customer_held: boolean;
  /** A transfer or a consultation going on (absent when neither is). */
  with?: ('transfer' | 'consult')[];
  /** Whether a supervisor is on the call, and how. */
  monitor?: MonitorMode;
  /** The memo as the operator is typing it. */
  memo: string;
  response_status?: string;
  memo_updated_at?: string;
  /** The memo's version (0 before its first save). */
  memo_version?: number;
}

/** One operator on the board. */
export interface BoardOperator {
  id: string;
  name: string;
  role: 'operator' | 'supervisor' | 'admin';
  /** A presence id: `available`, `away`, `wrap_up`, `break`, `offline`, `on_call` or an admin-defined one. */
  status: string;
  status_since: string;
  current_call?: string;
  wrap_up_until?: string;
  /** 手上げ: since when the operator has been asking for a supervisor. */
  hand_raised_at?: string;
  version: number;
  call?: BoardCall;
  /** The call the operator's 後処理 follows. */
  wrap_up_call?: string;
  /** In 後処理 after handing their call to an outside number (外部転送): to whom. */
  external?: { to: string; to_display: string; mode: string; by: string; at: string; connected_at?: string };
}

/** A caller waiting for an operator. */
export interface Waiting {
  sid: string;
  since: string;
  /** The queue (id) the caller waits in. */
  queue: string;
  customer?: string;
  customer_display?: string;
}

/** An hour of today (Japan time), for the chart. */
export interface HourFigures {
  hour: number;
  inbound: number;
  answered: number;
  abandoned: number;
}

/** Today's figures, counted as calls end. */
export interface DayFigures {
  day: string;
  inbound: number;
  outbound: number;
  answered: number;
  abandoned: number;
  average_handle_seconds: number;
  average_wait_seconds: number;
  hours: HourFigures[];
}

/** One queue (窓口) on the board: its callers waiting and the longest wait, when the board was read. */
export interface QueueFigures {
  id: string;
  name: string;
  name_en?: string;
  waiting: number;
  longest_wait_seconds: number;
}

/** The supervisor's board. */
export interface Board {
  operators: BoardOperator[];
  /** Each queue of the settings, in their order. */
  queues: QueueFigures[];
  /** The first 30 callers in line, every queue together, oldest first. */
  queue: Waiting[];
  longest_wait_seconds: number;
  today: DayFigures;
  /** When the server read it (RFC 3339): durations are counted from the server's clock. */
  at: string;
}

/** What a supervisor's release of an operator did. */
export interface Release {
  /** `released`: the call had ended and the operator went to wrap-up; `already_free`: nothing held them. */
  outcome: 'released' | 'already_free';
  call?: string;
  operator: BoardOperator;
}

const callPath = (call: string) => `/api/monitor/calls/${encodeURIComponent(call)}`;

export const getBoard = (signal?: AbortSignal) => get<Board>('/api/monitor', undefined, signal);

/**
 * Joins a live call in `mode` (the supervisor's own phone rings with `callSid` and `monitor`
 * custom parameters), or switches mode when already on it. 409 `operator_on_hold` for a whisper
 * while the operator is held, `already_monitored` when another supervisor is on the call.
 */
export const joinCall = (call: string, mode: MonitorMode) => post<undefined>(callPath(call), { mode });

/** Leaves a call: the supervisor's leg is taken out of the conference. */
export const leaveCall = (call: string) => del<undefined>(callPath(call));

/** The path of {@link leaveCall}, for a last request sent while the page unloads. */
export const leavePath = callPath;

/**
 * Releases an operator stuck on a call that has ended (its end callbacks were lost): the server
 * checks the call with Twilio first and answers 409 `call_live` rather than cut a live call.
 * Audited on the server.
 */
export const releaseOperator = (operator: string) =>
  post<Release>(`/api/monitor/operators/${encodeURIComponent(operator)}/release`, undefined);
