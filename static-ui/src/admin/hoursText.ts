//! The words of the admin page's 営業時間 and IVRメニュー sections, Japanese with English beside
//! them. They are kept beside the sections rather than in the page's dictionary (i18n.ts) because
//! only the admin page, loaded on demand, uses them: the operator screen's first load stays within
//! its size budget.

import { lang } from '../i18n';

const messages = {
  'admin.hoursNote': [
    '回線ごとの営業時間です（日本時間）。休業中の着信には、メッセージ・留守番電話・転送のいずれかで応答します。営業時間を設定しない回線は常に受け付けます。',
    'Business hours per line (Japan time). While closed, a call gets a message, voicemail or a forward. A line without hours always takes calls.',
  ],
  'admin.menuNote': [
    '着信時に流す音声ガイダンスです。キー（または話した言葉）で選ばれた選択肢に応じて、オペレーター・メッセージ・留守番電話・サブメニューへ進みます。無入力や誤入力のときは案内を繰り返し、回数を超えると「選択がなかったとき」の対応になります。',
    'What callers hear first. The option chosen by key (or by words) leads to an operator, a message, voicemail or a sub-menu. Silence or a wrong key repeats the options; after the last attempt the default applies.',
  ],
  'hours.line': ['回線', 'Line'],
  'hours.enabled': ['この回線に営業時間を設定する', 'Set business hours for this line'],
  'hours.day.mon': ['月', 'Mon'],
  'hours.day.tue': ['火', 'Tue'],
  'hours.day.wed': ['水', 'Wed'],
  'hours.day.thu': ['木', 'Thu'],
  'hours.day.fri': ['金', 'Fri'],
  'hours.day.sat': ['土', 'Sat'],
  'hours.day.sun': ['日', 'Sun'],
  'hours.weekly': ['曜日ごとの受付時間', 'Weekly hours'],
  'hours.dayClosed': ['休み', 'Closed'],
  'hours.start': ['開始', 'From'],
  'hours.end': ['終了', 'To'],
  'hours.addSpan': ['＋ 時間帯', '+ Span'],
  'hours.remove': ['削除', 'Remove'],
  'hours.holidays': ['祝日は休業（振替休日・国民の休日を含む）', 'Closed on national holidays (substitute holidays included)'],
  'hours.closedDays': ['独自休業日', 'Closed days'],
  'hours.closedDaysHint': ['毎年なら「12-29」、一度だけなら「2026-08-13」の形で書きます。終了は空欄なら開始の1日だけです。', 'Every year: 12-29; once: 2026-08-13. An empty end is the one day.'],
  'hours.from': ['開始日', 'From'],
  'hours.to': ['終了日', 'To'],
  'hours.label': ['名前', 'Name'],
  'hours.addClosedDay': ['＋ 休業日', '+ Closed day'],
  'hours.whenClosed': ['休業時の対応', 'When closed'],
  'hours.wc.message': ['メッセージを流して終了', 'A message, then hang up'],
  'hours.wc.voicemail': ['留守番電話', 'Voicemail'],
  'hours.wc.forward': ['別の番号へ転送', 'Forward to a number'],
  'hours.wc.text': ['メッセージ', 'Message'],
  'hours.wc.greeting': ['留守番電話の案内', 'Voicemail greeting'],
  'hours.wc.number': ['転送先（+81312345678 の形）', 'Forward to (+81312345678)'],
  'hours.now': ['現在', 'Now'],
  'hours.nowOpen': ['営業中（{until}まで）', 'Open (until {until})'],
  'hours.nowClosed': ['休業中（次の営業開始: {opens}）', 'Closed (opens {opens})'],
  'hours.nowNever': ['休業中（1年以内に営業開始はありません）', 'Closed (no opening within a year)'],
  'hours.closedFor': ['本日は{name}', 'Today: {name}'],
  'hours.nextHolidays': ['次の祝日', 'Next holidays'],
  'hours.previewFailed': ['プレビューできません: {reason}', 'No preview: {reason}'],
  'ivr.enabled': ['この回線でIVRメニューを使う', 'Use an IVR menu on this line'],
  'ivr.greeting': ['最初の案内', 'Greeting'],
  'ivr.speech': ['話した言葉でも選べるようにする（日本語の音声認識）', 'Also choose by words (Japanese speech recognition)'],
  'ivr.timeout': ['入力を待つ秒数', 'Seconds to wait for a key'],
  'ivr.attempts': ['案内を繰り返す回数', 'Times the options are said'],
  'ivr.options': ['選択肢', 'Options'],
  'ivr.key': ['キー', 'Key'],
  'ivr.id': ['ID', 'ID'],
  'ivr.label': ['内容', 'What it is'],
  'ivr.keywords': ['音声で選ぶ言葉（カンマ区切り）', 'Words that choose it (comma-separated)'],
  'ivr.action': ['進み先', 'Leads to'],
  'ivr.action.queue': ['オペレーターへ（待ち行列）', 'An operator (the queue)'],
  'ivr.action.message': ['メッセージを流して終了', 'A message, then hang up'],
  'ivr.action.voicemail': ['留守番電話', 'Voicemail'],
  'ivr.action.submenu': ['サブメニュー', 'A sub-menu'],
  'ivr.text': ['メッセージ', 'Message'],
  'ivr.default': ['選択がなかったとき', 'When nothing is chosen'],
  'ivr.addOption': ['＋ 選択肢', '+ Option'],
  'ivr.remove': ['削除', 'Remove'],
  'ivr.submenu': ['サブメニュー（{key}）', 'Sub-menu ({key})'],
  'ivr.preview': ['発信者が聞く案内（順番どおり）', 'What the caller hears, in order'],
} as const satisfies Record<string, readonly [string, string]>;

export type HoursMessageKey = keyof typeof messages;

/** A message of these sections in the current language, `{name}` replaced from `vars`. */
export function th(key: HoursMessageKey, vars?: Record<string, string | number>): string {
  const pair = messages[key];
  let s: string = lang.value === 'en' ? pair[1] : pair[0];
  if (vars) {
    for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
  }
  return s;
}
