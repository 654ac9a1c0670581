//! The outbound line (発信回線) the operator dials out on, remembered on this browser, and the talk
//! script shown: the call list's while one of its targets is worked, the script of the number
//! the customer called during an inbound call, otherwise the outbound line's.

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

/** The number the customer called (E.164), during an inbound call. */
export const calledNumber = signal<string | null>(null);

/** The line the customer called, during an inbound call on one of the configured lines. */
const calledLine = computed(() => {
  const called = calledNumber.value;
  return called ? ((settings.value?.lines ?? []).find((l) => l.number === called) ?? null) : null;
});

/** The line whose script is shown: the number called during an inbound call, else the chosen line. */
export const scriptLine = computed(() => calledLine.value ?? selectedLine.value);

/** The talk script to show: the call list's while one of its targets is worked, else the script
 * of {@link scriptLine}. */
export const selectedScript = computed(() => {
  const id = listScriptId.value ?? scriptLine.value?.script_id;
  if (!id) return null;
  return settings.value?.scripts.find((s) => s.id === id) ?? null;
});

/** Where the shown script comes from. */
export const scriptSource = computed<'list' | 'called' | 'line'>(() => {
  if (listScriptId.value) return 'list';
  return calledLine.value ? 'called' : 'line';
});
