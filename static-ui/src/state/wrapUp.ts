//! 後処理 (wrap-up) after a call: the seconds left before the operator is back in the status they
//! had before the call, extended (the countdown starts over) or ended early, and — when the
//! admin made the response status required (対応ステータス必須) — kept until the call's 対応ステータス
//! is chosen: leaving is refused with the reason, and a countdown that runs out first is
//! started over (the server would otherwise end it on its clock).

import { computed } from '@preact/signals';
import { t } from '../i18n';
import { now } from './clock';
import { flushMemo, memoCallSid, responseStatus } from './memo';
import { say } from './notice';
import { afterCallStatus, changePresence, presence, presenceLabel, wrapUpUntil } from './presence';
import { settings } from './settings';

/** Seconds of wrap-up left, while in wrap-up with a countdown. */
export const wrapUpLeft = computed<number | null>(() => {
  if (presence.value !== 'wrap_up' || !wrapUpUntil.value) return null;
  const until = Date.parse(wrapUpUntil.value);
  if (Number.isNaN(until)) return null;
  return Math.max(0, Math.round((until - now.value) / 1000));
});

/** The status wrap-up ends in, as a label. */
export const wrapUpEndsIn = computed(() => presenceLabel(afterCallStatus.value));

/** Why the operator may not leave wrap-up yet, or `null`. */
export const whyStayInWrapUp = computed<string | null>(() => {
  if (presence.value !== 'wrap_up') return null;
  if (!settings.value?.call_handling.require_response_status) return null;
  if (!memoCallSid.value || responseStatus.value) return null;
  return t('wrapUp.statusRequired');
});

/** Chooses a status (the information bar's select): refused while wrap-up must go on. */
export async function choosePresence(id: string): Promise<void> {
  const why = id === 'wrap_up' ? null : whyStayInWrapUp.peek();
  if (why) throw new Error(why);
  // The memo typed in 後処理 is saved before the operator moves on (the server checks its status).
  if (id !== 'wrap_up') await flushMemo();
  await changePresence(id);
}

/** 延長: the countdown starts over, still ending in the same status. */
export function extendWrapUp(): Promise<void> {
  return changePresence('wrap_up');
}

/** 後処理終了: back to the status the operator had before the call, now. */
export function endWrapUp(): Promise<void> {
  return choosePresence(afterCallStatus.peek());
}

/**
 * Keeps an operator who must still choose the response status in wrap-up: a countdown that
 * reaches its last second is started over, once per countdown, and the operator is told why.
 * Returns the stop function.
 */
export function startWrapUpGuard(): () => void {
  let extendedFor: string | null = null;
  return wrapUpLeft.subscribe((left) => {
    const until = wrapUpUntil.peek();
    if (left === null || left > 1 || !until || extendedFor === until || !whyStayInWrapUp.peek()) return;
    extendedFor = until;
    extendWrapUp()
      .then(() => say('warn', t('wrapUp.keptForStatus')))
      .catch(() => undefined);
  });
}
