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

/** When wrap-up (後処理) ends and the server makes the operator available again. */
export const wrapUpUntil = signal<string | null>(null);

/** How often the status is read when there is no live channel ({@link liveDisabled}). */
const PRESENCE_POLL_MS = 5000;

let refreshing: Promise<void> | null = null;
let wrapUpTimer: ReturnType<typeof setTimeout> | null = null;

/** Shows a status the server sent. A wrap-up ends on the server's clock without a write (so
 * without a push): the status is read again when it is due. */
function apply(op: Pick<Operator, 'status' | 'wrap_up_until'>): void {
  presence.value = op.status;
  wrapUpUntil.value = op.wrap_up_until ?? null;
  if (wrapUpTimer) clearTimeout(wrapUpTimer);
  wrapUpTimer = null;
  const until = op.status === 'wrap_up' && op.wrap_up_until ? Date.parse(op.wrap_up_until) : NaN;
  if (!Number.isNaN(until)) {
    wrapUpTimer = setTimeout(() => void refreshPresence(), Math.max(0, until - Date.now()) + 500);
  }
}

/** Reads my status from the server now (calls change it behind the page's back). */
export function refreshPresence(): Promise<void> {
  refreshing ??= me()
    .then(apply)
    .catch(() => undefined)
    .finally(() => {
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
  };
}
