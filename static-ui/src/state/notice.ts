//! The one line of news in the operation menu: what the platform said on a call (a refused
//! dial), how a call or a transfer ended, an error of an action. The newest replaces the last;
//! errors stay until the next action, news until it is replaced.

import { signal } from '@preact/signals';

export interface Notice {
  kind: 'info' | 'ok' | 'warn' | 'error';
  text: string;
  /** A button offered with the notice. */
  action?: { label: string; run: () => void | Promise<void> };
  /** Bumped so the same text said twice is still announced. */
  seq: number;
}

export const notice = signal<Notice | null>(null);
let seq = 0;

/** Shows a notice (replacing the last one). */
export function say(kind: Notice['kind'], text: string, action?: Notice['action']): void {
  notice.value = { kind, text, seq: ++seq, ...(action ? { action } : {}) };
}

/** Clears the notice. */
export function clearNotice(): void {
  notice.value = null;
}
