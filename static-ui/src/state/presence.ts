//! The operator's status (受付可, 離席, 後処理, 休憩, オフライン and the statuses an admin added).
//! Shown in the information region; changing it needs the presence API, which the phone layer
//! will register with {@link registerPresenceControl}. Until then the select is disabled.

import { computed, signal } from '@preact/signals';
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
  presence.value = id;
}
