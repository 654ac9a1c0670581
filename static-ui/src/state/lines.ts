//! The outbound line (発信回線) the operator dials out on, remembered on this browser.

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

/** The talk script of the selected line, if it has one. */
export const selectedScript = computed(() => {
  const line = selectedLine.value;
  if (!line?.script_id) return null;
  return settings.value?.scripts.find((s) => s.id === line.script_id) ?? null;
});
