//! The operator's status (受付可, 離席, 後処理, 休憩, オフライン and the statuses an admin added).
//! Shown in the information region and followed from the server ({@link startPresenceSync}: the
//! server sets 通話中 and 後処理 itself as calls come and go); changing it goes through the
//! operators API, installed with {@link registerPresenceControl}.

import { computed, signal } from '@preact/signals';
import { me, setStatus } from '../api/operators';
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

let refreshing: Promise<void> | null = null;

/** Reads my status from the server now (calls change it behind the page's back). */
export function refreshPresence(): Promise<void> {
  refreshing ??= me()
    .then((op) => {
      presence.value = op.status;
      wrapUpUntil.value = op.wrap_up_until ?? null;
    })
    .catch(() => undefined)
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

/**
 * Follows my status from the server (every few seconds) and installs the control that changes
 * it; returns the stop function.
 */
export function startPresenceSync(everyMs = 5000): () => void {
  const stop = registerPresenceControl({
    async change(id) {
      const op = await setStatus(id);
      presence.value = op.status;
      wrapUpUntil.value = op.wrap_up_until ?? null;
    },
  });
  void refreshPresence();
  const timer = setInterval(() => void refreshPresence(), everyMs);
  return () => {
    clearInterval(timer);
    stop();
  };
}
