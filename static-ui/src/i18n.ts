//! Every string of the page, Japanese first with English beside it, and the language switch.
//! Labels that come from settings (objects, fields, statuses) carry their own `label` /
//! `label_en`; {@link labelOf} picks one.

import { signal } from '@preact/signals';

export type Lang = 'ja' | 'en';

/** `key: [日本語, English]`. `{name}` placeholders are filled by {@link t}. */
const messages = {
  // The application
  'app.title': ['オペレータコンソール', 'Operator console'],
  'app.loading': ['読み込み中…', 'Loading…'],
  'app.loadFailed': ['読み込みに失敗しました: {detail}', 'Could not load: {detail}'],
  'app.retry': ['再試行', 'Retry'],
  'app.lang': ['言語', 'Language'],
  'app.switchLang': ['English', '日本語'],
  'app.switchLangLabel': ['Switch to English', '日本語に切り替え'],
  'app.signOut': ['サインアウト', 'Sign out'],
  'app.admin': ['管理画面', 'Admin'],
  'app.operator': ['オペレータ画面', 'Operator screen'],
  'app.close': ['閉じる', 'Close'],
  'app.cancel': ['キャンセル', 'Cancel'],
  'app.save': ['保存', 'Save'],
  'app.saving': ['保存中…', 'Saving…'],
  'app.saved': ['保存しました', 'Saved'],
  'app.none': ['なし', 'None'],
  'app.help': ['ヘルプ', 'Help'],
  'app.more': ['さらに表示', 'Show more'],
  'app.yes': ['はい', 'Yes'],
  'app.no': ['いいえ', 'No'],

  // Sign-in
  'signin.title': ['サインイン', 'Sign in'],
  'signin.devIntro': [
    'ローカル環境です。デモ用のユーザーを選んでサインインしてください。',
    'This is the local console. Pick a demo user to sign in as.',
  ],
  'signin.as': ['{name} としてサインイン', 'Sign in as {name}'],
  'signin.expired': ['サインインの有効期限が切れました。もう一度サインインしてください。', 'Your sign-in expired. Please sign in again.'],
  'signin.signedOut': ['サインアウトしました。', 'You have signed out.'],
  'signin.cognito': [
    'この環境では Cognito でサインインします（サインイン画面は準備中です）。',
    'This console signs in with Cognito (the Cognito sign-in is not wired yet).',
  ],
  'role.operator': ['オペレータ', 'Operator'],
  'role.supervisor': ['スーパーバイザー', 'Supervisor'],
  'role.admin': ['管理者', 'Admin'],

  // Regions
  'region.info': ['インフォメーション', 'Information'],
  'region.ops': ['操作メニュー', 'Operation menu'],
  'region.customer': ['取引先情報', 'Customer info'],
  'region.history': ['対応履歴', 'Response history'],
  'region.entry': ['データ入力', 'Data entry'],
  'region.search': ['データ検索', 'Data search'],

  // 1. Information
  'info.date': ['日時', 'Date and time'],
  'info.user': ['ログインユーザー', 'Signed in as'],
  'info.status': ['ステータス', 'Status'],
  'info.statusPending': [
    'ステータスの変更は通話機能（在席API）の提供後に利用できます。',
    'Changing the status becomes available with the call features (presence API).',
  ],
  'info.line': ['発信回線', 'Outbound line'],
  'info.noLines': ['発信回線が設定されていません', 'No outbound line is configured'],
  'info.script': ['トークスクリプト', 'Talk script'],
  'info.scriptOpen': ['選択中の発信回線のトークスクリプトを表示', 'Show the talk script of the selected line'],
  'info.noScript': ['この回線にはトークスクリプトが設定されていません', 'No talk script is set for this line'],
  'presence.available': ['受付可', 'Available'],
  'presence.away': ['離席', 'Away'],
  'presence.wrap_up': ['後処理', 'Wrap-up'],
  'presence.break': ['休憩', 'Break'],
  'presence.offline': ['オフライン', 'Offline'],
  'presence.on_call': ['通話中', 'On a call'],

  // 2. Operation menu
  'ops.dialAnswer': ['発信応答', 'Dial / Answer'],
  'ops.hangUp': ['切断', 'Hang up'],
  'ops.hold': ['保留', 'Hold'],
  'ops.unhold': ['保留解除', 'Resume'],
  'ops.transfer': ['転送', 'Transfer'],
  'ops.callList': ['架電リスト', 'Call list'],
  'ops.notReady': [
    '通話機能は準備中です（電話機能が未接続のため利用できません）。照会・履歴・データ入力・検索は利用できます。',
    'Call features are not connected yet. Look-up, history, data entry and search work.',
  ],
  'ops.unavailable': ['利用できません: {reason}', 'Unavailable: {reason}'],

  // 3. Customer info
  'customer.phone': ['電話番号', 'Phone number'],
  'customer.phonePlaceholder': ['例: 03-1234-5678', 'e.g. 03-1234-5678'],
  'customer.lookUp': ['照会', 'Look up'],
  'customer.lookUpHint': ['電話番号に紐づいたデータを検索します（Enter）', 'Find the data linked to the number (Enter)'],
  'customer.clear': ['クリア', 'Clear'],
  'customer.clearHint': ['電話番号と表示内容をクリアします', 'Clear the number and what is shown'],
  'customer.callTime': ['通話時間', 'Call time'],
  'customer.account': ['取引先', 'Account'],
  'customer.contact': ['取引先担当者', 'Contact'],
  'customer.newAccount': ['取引先を新規登録', 'Register a new account'],
  'customer.newContact': ['取引先担当者を新規登録', 'Register a new contact'],
  'customer.notFound': ['該当なし', 'No match'],
  'customer.notLooked': ['—', '—'],
  'customer.choose': ['{count}件該当: 選択してください', '{count} matches: choose one'],
  'customer.viaContact': ['（担当者の電話番号で一致）', '(matched through a contact)'],
  'customer.show': ['詳細をデータ検索に表示', 'Show the details in Data search'],
  'customer.notes': ['特記事項', 'Special notes'],
  'customer.noNotes': ['特記事項はありません', 'No special notes'],
  'customer.looking': ['照会中…', 'Looking up…'],
  'customer.others': ['その他のデータ: {count}件', 'Other records: {count}'],

  // Conversation memo
  'memo.title': ['会話メモ', 'Conversation memo'],
  'memo.status': ['対応ステータス', 'Response status'],
  'memo.statusNone': ['（未選択）', '(not chosen)'],
  'memo.text': ['会話メモ', 'Conversation memo'],
  'memo.operator': ['【オペレータ】', '【オペレータ】'],
  'memo.customer': ['【お客様】', '【お客様】'],
  'memo.operatorHint': ['【オペレータ】を挿入（Ctrl+Z）', 'Insert 【オペレータ】 (Ctrl+Z)'],
  'memo.customerHint': ['【お客様】を挿入（Ctrl+X）', 'Insert 【お客様】 (Ctrl+X)'],
  'memo.undo': ['元に戻す', 'Undo'],
  'memo.undoHint': ['直前の変更を元に戻す（Ctrl+Shift+Z）', 'Undo the last change (Ctrl+Shift+Z)'],
  'memo.redo': ['やり直す', 'Redo'],
  'memo.redoHint': ['元に戻した変更をやり直す（Ctrl+Y）', 'Redo (Ctrl+Y)'],
  'memo.help': [
    'Ctrl+Z: 【オペレータ】を挿入 / Ctrl+X: 【お客様】を挿入（カーソル位置）。元に戻すには［元に戻す］ボタンか Ctrl+Shift+Z、やり直しは Ctrl+Y。切り取りは右クリックメニューか Shift+Delete で行えます。',
    'Ctrl+Z inserts 【オペレータ】 and Ctrl+X inserts 【お客様】 at the caret. To undo, use the Undo button or Ctrl+Shift+Z; Ctrl+Y redoes. Cut is on the context menu or Shift+Delete.',
  ],
  'memo.state.local': ['未保存', 'Not saved'],
  'memo.state.localHint': [
    'メモはこの画面にのみ保持されています（保存機能は通話機能とともに提供されます）。',
    'The memo is kept in this page only (saving comes with the call features).',
  ],
  'memo.state.unsaved': ['未保存', 'Not saved'],
  'memo.state.saving': ['保存中…', 'Saving…'],
  'memo.state.saved': ['保存済み', 'Saved'],
  'memo.state.conflict': ['競合', 'Conflict'],
  'memo.state.conflictHint': ['他の画面でメモが更新されました。', 'The memo was changed elsewhere.'],
  'memo.state.error': ['保存エラー', 'Save failed'],
  'memo.takeTheirs': ['最新を読み込む', 'Load the latest'],
  'memo.keepMine': ['自分の内容で上書き', 'Overwrite with mine'],

  // 4. Response history
  'history.calls': ['通話履歴', 'Call history'],
  'history.new': ['新規', 'New'],
  'history.newHint': ['{object}をデータ入力に新規作成', 'Create a new {object} in Data entry'],
  'history.empty': ['履歴はありません', 'No history'],
  'history.needLookup': ['電話番号を照会すると履歴が表示されます', 'Look up a number to see its history'],
  'history.when': ['日時', 'When'],
  'history.direction': ['種別', 'Direction'],
  'history.operator': ['担当', 'Operator'],
  'history.duration': ['通話時間', 'Duration'],
  'history.status': ['対応ステータス', 'Status'],
  'history.memo': ['メモ', 'Memo'],
  'history.title': ['件名', 'Title'],
  'history.inbound': ['着信', 'In'],
  'history.outbound': ['発信', 'Out'],
  'history.abandoned': ['放棄', 'Abandoned'],
  'history.loading': ['読み込み中…', 'Loading…'],

  // 5. Data entry
  'entry.object': ['オブジェクト', 'Object'],
  'entry.mode.new': ['新規', 'New'],
  'entry.mode.edit': ['編集', 'Edit'],
  'entry.mode.copy': ['コピー', 'Copy'],
  'entry.linkedAccount': ['取引先', 'Account'],
  'entry.linkedContact': ['担当者', 'Contact'],
  'entry.unlink': ['紐づけを外す', 'Unlink'],
  'entry.notLinked': ['紐づけなし', 'Not linked'],
  'entry.save': ['登録', 'Save'],
  'entry.update': ['更新', 'Update'],
  'entry.reset': ['クリア', 'Clear'],
  'entry.resetHint': ['入力内容を破棄して新規入力に戻します', 'Discard the input and start a new record'],
  'entry.created': ['{object}を登録しました', '{object} saved'],
  'entry.updated': ['{object}を更新しました', '{object} updated'],
  'entry.required': ['必須', 'required'],
  'entry.requiredMissing': ['入力してください', 'Please fill this in'],
  'entry.notNumber': ['数値を入力してください', 'Enter a number'],
  'entry.fixErrors': ['入力内容を確認してください', 'Please check the highlighted fields'],
  'entry.conflict': [
    '{who}がこのデータを更新しました（版 {version}）。最新を読み込むか、自分の変更で上書きしてください。',
    '{who} changed this record (version {version}). Load the latest, or overwrite with your changes.',
  ],
  'entry.someone': ['他のユーザー', 'Someone else'],
  'entry.loadLatest': ['最新を読み込む', 'Load the latest'],
  'entry.overwrite': ['自分の変更で上書き', 'Overwrite with mine'],
  'entry.yes': ['はい', 'Yes'],
  'entry.refSearch': ['{object}を検索', 'Search {object}'],
  'entry.refClear': ['選択を解除', 'Clear'],
  'entry.selectNone': ['（選択なし）', '(none)'],

  // 6. Data search
  'search.object': ['検索対象', 'Object'],
  'search.query': ['キーワード', 'Keyword'],
  'search.run': ['検索', 'Search'],
  'search.results': ['{count}件', '{count} results'],
  'search.noResults': ['該当するデータはありません', 'Nothing found'],
  'search.prevPage': ['前のページ', 'Previous page'],
  'search.nextPage': ['次のページ', 'Next page'],
  'search.page': ['{page}ページ目', 'Page {page}'],
  'search.matched': ['一致: {field}', 'Matched: {field}'],
  'search.hint': ['2文字以上入力して検索します（カナ・全角半角は区別しません）', 'Type at least 2 characters (kana and width are folded)'],
  'detail.prev': ['前データ', 'Previous'],
  'detail.next': ['次データ', 'Next'],
  'detail.edit': ['修正', 'Edit'],
  'detail.copy': ['コピー', 'Copy'],
  'detail.back': ['一覧に戻る', 'Back to list'],
  'detail.position': ['{index} / {count}', '{index} of {count}'],
  'detail.updatedAt': ['更新日時', 'Updated'],
  'detail.createdAt': ['登録日時', 'Created'],
  'detail.call': ['通話', 'Call'],
  'detail.customer': ['相手先', 'Customer'],
  'detail.line': ['回線', 'Line'],
  'detail.endReason': ['終了理由', 'End reason'],
  'endReason.completed': ['通話終了', 'Completed'],
  'endReason.caller_hung_up_waiting': ['待ち中にお客様が切断', 'Caller hung up while waiting'],
  'endReason.no_answer': ['応答なし', 'No answer'],
  'endReason.busy': ['話し中', 'Busy'],
  'endReason.failed': ['接続失敗', 'Failed'],
  'endReason.abandoned': ['放棄', 'Abandoned'],
  'detail.empty': ['検索するか、対応履歴のデータをクリックすると詳細が表示されます', 'Search, or click a record in the history, to see its details'],

  // Admin
  'admin.title': ['管理画面（Twilio設定）', 'Admin (console settings)'],
  'admin.refused': [
    'このページは管理者のみ利用できます。{name} さんは{role}としてサインインしています。',
    'This page is for admins only. {name}, you are signed in as {role}.',
  ],
  'admin.back': ['オペレータ画面に戻る', 'Back to the operator screen'],
  'admin.version': ['版 {version}', 'version {version}'],
  'admin.add': ['追加', 'Add'],
  'admin.remove': ['削除', 'Remove'],
  'admin.up': ['上へ', 'Move up'],
  'admin.down': ['下へ', 'Move down'],
  'admin.reset': ['元に戻す', 'Revert'],
  'admin.dirty': ['未保存の変更があります', 'Unsaved changes'],
  'admin.conflict': [
    '他の管理者がこの設定を更新しました。最新の内容を読み込みました（版 {version}）。変更をやり直してください。',
    'Another admin changed these settings. The current value was loaded (version {version}); please make your change again.',
  ],
  'admin.sectionSaved': ['保存しました（版 {version}）', 'Saved (version {version})'],
  'admin.section.lines': ['発信回線', 'Outbound lines'],
  'admin.section.response_statuses': ['対応ステータス', 'Response statuses'],
  'admin.section.presence_statuses': ['オペレータステータス（追加分）', 'Operator statuses (added)'],
  'admin.section.special_notes': ['特記事項の項目', 'Special-notes fields'],
  'admin.section.history_tabs': ['対応履歴のタブ', 'Response-history tabs'],
  'admin.section.search': ['データ検索の対象と項目', 'Data search objects and fields'],
  'admin.section.scripts': ['トークスクリプト', 'Talk scripts'],
  'admin.section.objects': ['オブジェクトと項目', 'Objects and fields'],
  'admin.section.call_handling': ['着信処理', 'Call handling'],
  'admin.col.id': ['ID', 'ID'],
  'admin.col.number': ['電話番号', 'Number'],
  'admin.col.label': ['表示名', 'Label'],
  'admin.col.label_en': ['表示名（英語）', 'Label (English)'],
  'admin.col.recording': ['録音', 'Record'],
  'admin.col.script': ['トークスクリプト', 'Talk script'],
  'admin.col.object': ['オブジェクト', 'Object'],
  'admin.col.field': ['項目', 'Field'],
  'admin.col.fields': ['検索する項目', 'Fields searched'],
  'admin.col.title': ['タイトル', 'Title'],
  'admin.col.body': ['本文', 'Body'],
  'admin.col.name': ['API名', 'API name'],
  'admin.col.type': ['型', 'Type'],
  'admin.col.required': ['必須', 'Required'],
  'admin.col.options': ['選択肢（1行に「値:表示名」）', 'Choices (one "value:label" a line)'],
  'admin.col.maxLength': ['最大文字数', 'Max length'],
  'admin.col.refObject': ['参照先', 'Refers to'],
  'admin.col.titleField': ['タイトル項目', 'Title field'],
  'admin.col.subtitleField': ['サブタイトル項目', 'Subtitle field'],
  'admin.defaultNameLabel': ['名称', 'Name'],
  'admin.builtin': ['標準', 'built-in'],
  'admin.addObject': ['オブジェクトを追加', 'Add an object'],
  'admin.addField': ['項目を追加', 'Add a field'],
  'admin.removeObject': ['このオブジェクトを削除', 'Remove this object'],
  'admin.ch.wrap_up_seconds': ['後処理時間（秒, 0〜3600）', 'Wrap-up (seconds, 0–3600)'],
  'admin.ch.max_wait_seconds': ['最大待ち時間（秒, 30〜3600）', 'Longest wait (seconds, 30–3600)'],
  'admin.ch.ring_timeout_seconds': ['呼出時間（秒, 5〜60）', 'Ring time (seconds, 5–60)'],
  'admin.ch.orphan_hold_seconds': ['保留放置の上限（秒, 5〜600）', 'Unattended hold limit (seconds, 5–600)'],
  'admin.presenceNote': [
    '受付可・離席・後処理・休憩・オフライン・通話中は標準のステータスです。ここでは追加のステータスを設定します。',
    'Available, Away, Wrap-up, Break, Offline and On a call are built in. Add further statuses here.',
  ],

  'type.text': ['テキスト', 'Text'],
  'type.long_text': ['テキストエリア', 'Long text'],
  'type.number': ['数値', 'Number'],
  'type.date': ['日付', 'Date'],
  'type.datetime': ['日時', 'Date and time'],
  'type.select': ['選択リスト', 'Select'],
  'type.phone': ['電話番号', 'Phone'],
  'type.email': ['メール', 'E-mail'],
  'type.checkbox': ['チェックボックス', 'Checkbox'],
  'type.reference': ['参照', 'Reference'],

  // Errors by API code (the server's message is the fallback for codes not listed)
  'err.invalid_phone': ['電話番号の形式が正しくありません', 'That is not a valid phone number'],
  'err.required': ['入力してください', 'This is required'],
  'err.wrong_type': ['入力形式が正しくありません', 'The value has the wrong format'],
  'err.too_long': ['文字数が多すぎます', 'Too long'],
  'err.not_a_choice': ['選択肢から選んでください', 'Choose one of the options'],
  'err.unknown_field': ['この項目はありません', 'Unknown field'],
  'err.invalid_link': ['この紐づけはできません', 'This link is not allowed'],
  'err.stale_version': ['他のユーザーが先に更新しました。最新の内容を確認してください', 'Someone else changed it first; check the latest version'],
  'err.unauthorized': ['サインインしてください', 'Please sign in'],
  'err.forbidden': ['この操作を行う権限がありません', 'You are not allowed to do this'],
  'err.not_found': ['データが見つかりません', 'Not found'],
  'err.too_large': ['データが大きすぎます（上限 400KB）', 'Too large (the limit is 400 KB)'],
  'err.query_too_short': ['2文字以上入力してください', 'Type at least 2 characters'],
  'err.query_too_long': ['100文字以内で入力してください', 'Use at most 100 characters'],
  'err.not_searchable': ['このオブジェクトは検索対象に設定されていません', 'This object is not set up for search'],
  'err.bad_cursor': ['ページ情報が無効です。もう一度検索してください', 'The page is no longer valid; search again'],
  'err.invalid_subject': ['検索条件が正しくありません', 'Invalid history subject'],
  'err.invalid_settings': ['設定内容に誤りがあります: {detail}', 'The settings are invalid: {detail}'],
  'err.has_related_records': ['関連データがあるため削除できません', 'It still has related records'],
  'err.bad_request': ['リクエストが正しくありません', 'The request was malformed'],
  'err.unavailable': ['サービスが一時的に利用できません。しばらくしてから再度お試しください', 'The service is temporarily unavailable; try again shortly'],
  'err.internal': ['予期しないエラーが発生しました', 'An unexpected error occurred'],
  'err.network': ['サーバーに接続できません', 'Cannot reach the server'],
} as const satisfies Record<string, readonly [string, string]>;

export type MessageKey = keyof typeof messages;

const LANG_KEY = 'console.lang';

function initialLang(): Lang {
  const stored = localStorage.getItem(LANG_KEY);
  return stored === 'en' ? 'en' : 'ja';
}

/** The language of the page; Japanese unless the user switched. */
export const lang = signal<Lang>(initialLang());

/** Switches the language (remembered on this browser). */
export function setLang(next: Lang): void {
  localStorage.setItem(LANG_KEY, next);
  lang.value = next;
  document.documentElement.lang = next;
}
document.documentElement.lang = lang.peek();

/** A message in the current language, with `{name}` placeholders filled. */
export function t(key: MessageKey, vars?: Record<string, string | number>): string {
  const pair = messages[key];
  let s: string = lang.value === 'en' ? pair[1] : pair[0];
  if (vars) {
    for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
  }
  return s;
}

/** Whether a key exists (error codes are looked up dynamically). */
export function hasMessage(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(messages, key);
}

/** The label of a setting-defined thing in the current language. */
export function labelOf(x: { label: string; label_en?: string | undefined } | undefined | null): string {
  if (!x) return '';
  return lang.value === 'en' && x.label_en ? x.label_en : x.label;
}
