//! The outbound line (発信回線) the operator dials out on, remembered on this browser, and the talk
//! script shown for it (or for the call list being worked).

import { computed, signal } from '@preact/signals';
import { settings } from './settings';

const KEY = 'console.line';

/** The chosen line's id (the first configured line when none was chosen). */
export const chosenLineId = signal<string | null>(localStorage.getItem(KEY));

/** The line outbound calls use, or `null` when no line is configured. */
export const selectedLine = computed(() => {
  const lines = settings.value?.lines ?? [];
  return lines.find((l) => l.id === chosenLineId.value) ?? lines[0] ?? null;
});

export function chooseLine(id: string): void {
  localStorage.setItem(KEY, id);
  chosenLineId.value = id;
}

/** The talk script of the call-list target being worked, which comes before the line's. */
export const listScriptId = signal<string | null>(null);

/** The talk script to show: the call list's while one of its targets is worked, else the selected line's. */
export const selectedScript = computed(() => {
  const id = listScriptId.value ?? selectedLine.value?.script_id;
  if (!id) return null;
  return settings.value?.scripts.find((s) => s.id === id) ?? null;
});
