//! What kind of call a history row is, in words: 発信 for an outgoing call, 着信 for an incoming one
//! an operator took, 留守番電話 for one whose caller left a message, 折り返し依頼 for one whose
//! caller asked to be called back instead of waiting (neither is a caller who gave up), 放棄呼 for
//! one whose caller hung up before anyone answered, and 不在着信 for one that reached nobody (an
//! operator answered after the caller had already gone, or it failed), so a row with no operator
//! never reads as a bare 着信.

import type { CallSummary } from '../api/types';
import { duration } from '../format';
import { t } from '../i18n';

/** Ends of an incoming call that never reached an operator: the caller could not be answered. */
const MISSED_ENDS = new Set(['caller_gone_before_answer', 'failed', 'busy', 'no-answer', 'no_answer', 'canceled']);

/** Statuses of a call that has not ended yet. */
const LIVE = new Set(['waiting', 'ringing', 'in_progress']);

export type CallKind = 'outbound' | 'inbound' | 'abandoned' | 'missed' | 'voicemail' | 'callback';

export function callKind(call: Pick<CallSummary, 'direction' | 'status' | 'operator_name' | 'end_reason'>): CallKind {
  if (call.direction === 'outbound') return 'outbound';
  if (call.status === 'voicemail') return 'voicemail';
  if (call.status === 'callback_requested') return 'callback';
  if (call.operator_name || LIVE.has(call.status)) return 'inbound';
  if (call.status === 'abandoned' && !MISSED_ENDS.has(call.end_reason ?? '')) return 'abandoned';
  return 'missed';
}

export function callKindLabel(call: Pick<CallSummary, 'direction' | 'status' | 'operator_name' | 'end_reason'>): string {
  const kind = callKind(call);
  // The caller left a task: named as the task list names it.
  return t(kind === 'voicemail' || kind === 'callback' ? `tasks.kind.${kind}` : `history.kind.${kind}`);
}

/** 通話時間 of a history row: how long the customer talked with an operator. A call nobody
 * answered (留守番電話, 折り返し依頼, 放棄呼, 不在着信) had no talk, so its time waiting or
 * recording is not shown as one. */
export function talkTime(call: Pick<CallSummary, 'direction' | 'status' | 'operator_name' | 'end_reason' | 'answered_at' | 'duration_seconds'>): string {
  const kind = callKind(call);
  if (kind !== 'inbound' && kind !== 'outbound' && !call.answered_at) return '—';
  return duration(call.duration_seconds);
}
