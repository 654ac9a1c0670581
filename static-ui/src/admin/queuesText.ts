//! The words of the admin page's 窓口 section and the operators' skills, Japanese with English
//! beside them. They are kept beside the sections rather than in the page's dictionary (i18n.ts)
//! because only the admin page, loaded on demand, uses them: the operator screen's first load
//! stays within its size budget.

import { lang } from '../i18n';

const messages = {
  'queues.note': [
    '着信のお客様が待つ窓口です。最初の窓口が既定で、回線ごとの窓口やIVRメニューの選択肢で別の窓口を指定できます。オペレーターが受ける窓口（スキル）はユーザー管理で設定します。',
    'The queues callers wait in. The first is the default; a line or an IVR menu option may name another. Which queues each operator takes (skills) is set under Users.',
  ],
  'queues.title': ['窓口（待ち行列）', 'Queues'],
  'queues.col.name': ['窓口名', 'Name'],
  'queues.col.name_en': ['窓口名（英語）', 'Name (English)'],
  'queues.add': ['窓口を追加', 'Add a queue'],
  'queues.lineQueue': ['窓口', 'Queue'],
  'queues.lineDefault': ['回線の窓口（既定）', 'The line’s queue (default)'],
  'queues.firstQueue': ['最初の窓口（既定）', 'The first queue (default)'],
  'skills.col': ['受ける窓口（スキル）', 'Queues taken (skills)'],
  'skills.all': ['すべての窓口', 'Every queue'],
  'skills.edit': ['変更', 'Change'],
  'skills.save': ['窓口を保存', 'Save queues'],
  'skills.cancel': ['取消', 'Cancel'],
  'skills.hint': ['何も選ばないと、すべての窓口の着信を受けます。', 'With none chosen, the operator takes every queue.'],
  'skills.label': ['{name}さんが受ける窓口: {queue}', '{name} takes {queue}'],
  'skills.saved': ['{name}さんの受ける窓口を保存しました（{queues}）。', 'Saved the queues {name} takes ({queues}).'],
  'skills.loadFailed': ['受ける窓口を読み込めませんでした: {detail}', 'Could not load the queues taken: {detail}'],
} as const satisfies Record<string, readonly [string, string]>;

export type QueuesMessageKey = keyof typeof messages;

/** A message of these sections in the current language, `{name}` replaced from `vars`. */
export function tq(key: QueuesMessageKey, vars?: Record<string, string | number>): string {
  const pair = messages[key];
  let s: string = lang.value === 'en' ? pair[1] : pair[0];
  if (vars) {
    for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
  }
  return s;
}

/** A queue's name in the current language (the Japanese one when it has no English name). */
export function queueName(q: { name: string; name_en?: string | null }): string {
  return lang.value === 'en' && q.name_en ? q.name_en : q.name;
}
