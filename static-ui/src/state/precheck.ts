//! The pre-call check's state (通話前チェック): this browser session's result and whether its
//! dialog is open. The dialog itself (components/Preflight.tsx) is loaded when first opened.

import { signal } from '@preact/signals';

const KEY = 'console.precheck';

export type PrecheckOutcome = 'ok' | 'warn';

/** This session's result, or `null` before the check. */
export const precheck = signal<PrecheckOutcome | null>(sessionStorage.getItem(KEY) as PrecheckOutcome | null);
/** Whether the check's dialog is open. */
export const precheckOpen = signal(false);

/** Remembers the result for this browser session. */
export function rememberPrecheck(outcome: PrecheckOutcome): void {
  precheck.value = outcome;
  sessionStorage.setItem(KEY, outcome);
}
