//! The words of the board's queue (窓口) rows, Japanese with English beside them. They are kept
//! beside the board rather than in the page's dictionary (i18n.ts) because only the board, loaded
//! on demand, uses them: the operator screen's first load stays within its size budget.

import { lang } from '../i18n';

const messages = {
  'queues.title': ['窓口別', 'By queue'],
  'queues.name': ['窓口', 'Queue'],
  'queues.waiting': ['待ち呼', 'Waiting'],
  'queues.longest': ['最長待ち', 'Longest'],
} as const satisfies Record<string, readonly [string, string]>;

export type QueueMessageKey = keyof typeof messages;

/** A message of the queue rows in the current language. */
export function tq(key: QueueMessageKey): string {
  const pair = messages[key];
  return lang.value === 'en' ? pair[1] : pair[0];
}

/** A queue's name in the current language (the Japanese one when it has no English name). */
export function queueName(q: { name: string; name_en?: string }): string {
  return lang.value === 'en' && q.name_en ? q.name_en : q.name;
}
