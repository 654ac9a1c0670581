//! The operator's status (受付可, 離席, 後処理, 休憩, オフライン and the statuses an admin added).
//! Shown in the information region and followed from the server ({@link startPresenceSync}: the
//! server sets 通話中 and 後処理 itself as calls come and go, and pushes each change on the live
//! channel); changing it goes through the operators API, installed with
//! {@link registerPresenceControl}.

import { computed, signal } from '@preact/signals';
import type { Operator } from '../api/operators';
import { me, setStatus } from '../api/operators';
import { follow, onLive, pollWhileDown } from '../live';
import type { MessageKey } from '../i18n';
import { labelOf, t } from '../i18n';
import { say } from './notice';
import { settings } from './settings';

/** The statuses the system defines and an operator can choose. (`on_call` is set by calls.) */
export const BUILTIN_PRESENCE = ['available', 'away', 'wrap_up', 'break', 'offline'] as const;

/** Changes the operator's status on the server. */
export interface PresenceControl {
  change(id: string): Promise<void>;
}

/** The operator's current status id. */
export const presence = signal<string>('offline');
/** The installed control; `null` until the presence API exists. */
export const presenceControl = signal<PresenceControl | null>(null);

/** Every status the select offers: built in, then the admin's. */
export const presenceChoices = computed(() => [
  ...BUILTIN_PRESENCE.map((id) => ({ id, label: t(`presence.${id}` as MessageKey) })),
  ...(settings.value?.presence_statuses ?? []).map((p) => ({ id: p.id, label: labelOf(p) })),
]);

/** The label of a status id. */
export function presenceLabel(id: string): string {
  if (id === 'on_call') return t('presence.on_call');
  return presenceChoices.value.find((c) => c.id === id)?.label ?? id;
}

/** Installs the control; returns the function that removes it. */
export function registerPresenceControl(c: PresenceControl): () => void {
  presenceControl.value = c;
  return () => {
    if (presenceControl.value === c) presenceControl.value = null;
  };
}

/** Asks the server for a new status; the shown status changes when it agrees. */
export async function changePresence(id: string): Promise<void> {
  const c = presenceControl.value;
  if (!c) return;
  await c.change(id);
}

/** When wrap-up (後処理) ends and the server puts the operator back in {@link afterCallStatus}. */
export const wrapUpUntil = signal<string | null>(null);
/** The call 後処理 follows (while in it): its response status may be required before it ends. */
export const wrapUpCall = signal<string | null>(null);
/** The status wrap-up ends in: the one the operator had before the call (受付可 when the
 * server names none). */
export const afterCallStatus = signal<string>('available');

/** How often the status is read when there is no live channel ({@link liveDisabled}). */
const PRESENCE_POLL_MS = 5000;

/** How recent a release by the system must be to be told when the status is first read. */
const RELEASE_NEWS_MS = 2 * 60_000;
/** The release already told (its `released_at`), so it is said once. */
let toldRelease: string | null = null;

/** Tells the operator the system took them off a call by itself (its customer had already
 * gone when they answered), once, and only while it is news. */
function tellRelease(op: Pick<Operator, 'released_at' | 'released_reason'>): void {
  const at = op.released_at ?? null;
  if (!at || at === toldRelease) return;
  toldRelease = at;
  const age = Date.now() - Date.parse(at);
  if (op.released_reason === 'customer_gone' && age >= 0 && age < RELEASE_NEWS_MS) {
    say('warn', t('presence.releasedCustomerGone'));
  }
}

/** The callback request routing handed me in its caller's place (its task id) while it has me
 * 離席 to dial it; the task list opens on it ({@link startTasks}). */
export const handedCallback = signal<string | null>(null);

/** Tells the operator, once per task, that routing handed them a callback request. */
function tellCallback(op: Pick<Operator, 'status' | 'callback_task'>): void {
  const task = op.status === 'away' ? (op.callback_task ?? null) : null;
  if (task && task !== handedCallback.peek()) say('info', t('presence.callbackHanded'));
  handedCallback.value = task;
}

let refreshing: Promise<void> | null = null;
/** A read was asked for while one was under way: it is read again once that one answers, so
 * the answer reflects everything that happened before it was asked for. */
let readAgain = false;
let wrapUpTimer: ReturnType<typeof setTimeout> | null = null;
/** The version of the operator record shown. Every write of the record adds one, and a read
 * and a push can cross: an answer older than what is shown is dropped. (A wrap-up that ended
 * on the server's clock comes with the same version, so an equal one is shown.) */
let shownVersion = -1;

/** Shows a status the server sent, unless something newer is already shown. A wrap-up ends on
 * the server's clock without a write (so without a push): the status is read again when it is
 * due. */
function apply(
  op: Pick<Operator, 'status' | 'version' | 'wrap_up_until' | 'wrap_up_call' | 'after_call_status' | 'released_at' | 'released_reason' | 'callback_task'>,
): void {
  if (op.version < shownVersion) return;
  shownVersion = op.version;
  presence.value = op.status;
  tellRelease(op);
  tellCallback(op);
  wrapUpUntil.value = op.wrap_up_until ?? null;
  wrapUpCall.value = op.status === 'wrap_up' ? (op.wrap_up_call ?? null) : null;
  afterCallStatus.value = op.after_call_status ?? 'available';
  if (wrapUpTimer) clearTimeout(wrapUpTimer);
  wrapUpTimer = null;
  const until = op.status === 'wrap_up' && op.wrap_up_until ? Date.parse(op.wrap_up_until) : NaN;
  if (!Number.isNaN(until)) {
    wrapUpTimer = setTimeout(() => void refreshPresence(), Math.max(0, until - Date.now()) + 500);
  }
}

/** Reads my status from the server now (calls change it behind the page's back). Asked for
 * while a read is under way, it reads once more after that one: the read under way may have
 * been answered before the change that made the caller ask. */
export function refreshPresence(): Promise<void> {
  if (refreshing) {
    readAgain = true;
    return refreshing;
  }
  const read = async (): Promise<void> => {
    do {
      readAgain = false;
      try {
        apply(await me());
      } catch {
        // Read again on the next push, reconnection or poll.
      }
    } while (readAgain);
  };
  refreshing = read().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/**
 * Follows my status from the server — pushed on the live channel, read once after each
 * (re)connection and slowly while the channel is down — and installs the control that changes
 * it; returns the stop function.
 */
export function startPresenceSync(): () => void {
  const stop = registerPresenceControl({
    async change(id) {
      apply(await setStatus(id));
    },
  });
  void refreshPresence();
  const stopLive = follow(['presence'], () => void refreshPresence());
  const stopHearing = onLive((m) => {
    if (m.type === 'presence_changed') apply(m.operator);
  });
  const stopFallback = pollWhileDown(() => void refreshPresence(), PRESENCE_POLL_MS);
  return () => {
    stopFallback();
    stopHearing();
    stopLive();
    if (wrapUpTimer) clearTimeout(wrapUpTimer);
    wrapUpTimer = null;
    stop();
    shownVersion = -1;
  };
}
