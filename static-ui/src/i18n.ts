//! The strings of the page's first load, Japanese first with English beside it, and the language
//! switch. The words only parts fetched on demand show (the dialogs opened on a click, the admin,
//! supervisor and call-list pages) are in ./i18nParts.ts, fetched with those parts through
//! {@link withPartTexts}: a key the first load uses belongs here, one it never uses there.
//! Labels that come from settings (objects, fields, statuses) carry their own `label` /
//! `label_en`; {@link labelOf} picks one.

import { signal } from '@preact/signals';
import type { partMessages } from './i18nParts';

export type Lang = 'ja' | 'en';

/** `key: [日本語, English]`. `{name}` placeholders are filled by {@link t}. */
const messages = {
  // The application
  'app.title': ['オペレータコンソール', 'Operator console'],
  'app.loading': ['読み込み中…', 'Loading…'],
  'app.loadFailed': ['読み込みに失敗しました: {detail}', 'Could not load: {detail}'],
  'app.retry': ['再試行', 'Retry'],
  'app.partFailedTitle': ['読み込めませんでした', 'Could not load'],
  'app.partFailed': ['この画面を読み込めませんでした。ネットワークの接続を確かめて、再試行してください。', 'Could not load this part of the page. Check the network connection and retry.'],
  'app.lang': ['言語', 'Language'],
  'app.switchLang': ['English', '日本語'],
  'app.switchLangLabel': ['Switch to English', '日本語に切り替え'],
  'app.signOut': ['サインアウト', 'Sign out'],
  'app.admin': ['管理画面', 'Admin'],
  'app.close': ['閉じる', 'Close'],
  'app.saving': ['保存中…', 'Saving…'],
  'app.saved': ['保存しました', 'Saved'],
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
  'signin.cognito': ['会社のアカウントでサインインします。', 'Sign in with your company account.'],
  'signin.cognitoButton': ['サインイン画面へ', 'Go to sign-in'],
  'signin.redirecting': ['サインイン画面に移動しています…', 'Taking you to the sign-in page…'],
  'signin.failed': ['サインインを完了できませんでした（{detail}）。もう一度お試しください。', 'The sign-in could not finish ({detail}). Please try again.'],
  'signin.noGroupTitle': ['このコンソールを利用する権限がありません', 'You have no access to this console'],
  'signin.noGroup': [
    '{name} さんのアカウントは、オペレータ・スーパーバイザー・管理者のいずれのグループにも所属していません。管理者にグループへの追加を依頼してください。',
    "{name}'s account is in none of the groups operator, supervisor or admin. Ask an administrator to add you to one.",
  ],
  'auth.renewFailed': [
    'サインインを更新できませんでした。画面と通話はそのまま続けられます。もう一度サインインしてください。',
    'Your sign-in could not be renewed. This screen and any call go on; please sign in again.',
  ],
  'auth.expired': [
    'サインインの有効期限が切れました。画面と通話はそのまま続けられます。もう一度サインインしてください。',
    'Your sign-in has expired. This screen and any call go on; please sign in again.',
  ],
  'auth.signInAgain': ['もう一度サインイン', 'Sign in again'],

  // Registering an authenticator app (the supervisor and admin roles need one)
  'mfa.title': ['認証アプリの登録', 'Register an authenticator app'],
  'mfa.needed': [
    '{name} さんのスーパーバイザー・管理者の権限には、サインイン時の確認コード（認証アプリ）が必要です。登録すると権限が有効になります。',
    'Your supervisor or admin role, {name}, needs a sign-in code from an authenticator app. Register one to get the role.',
  ],
  'mfa.banner': ['SV・管理者の権限には認証アプリの登録が必要です', 'Your role needs an authenticator app'],
  'mfa.bannerTitle': [
    'スーパーバイザー・管理者の権限には、サインイン時の確認コード（認証アプリ）が必要です。登録までは、オペレータとして利用できます。',
    'Your supervisor or admin role needs a sign-in code from an authenticator app. Until you register one, you work as an operator.',
  ],
  'mfa.open': ['登録する', 'Register'],
  'auth.popupFailed': [
    'サインイン画面を開けませんでした。このページのポップアップを許可してください。',
    'The sign-in window did not open; allow pop-ups for this page.',
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
  'info.scriptOpen.line': ['選択中の発信回線のトークスクリプトを表示', 'Show the talk script of the selected line'],
  'info.scriptOpen.called': ['お客様が電話した番号のトークスクリプトを表示', 'Show the talk script of the number the customer called'],
  'info.scriptOpen.list': ['架電リストのトークスクリプトを表示', 'Show the call list’s talk script'],
  'info.scriptOfCalled': ['着信番号: {line}', 'Number called: {line}'],
  'info.scriptOfList': ['架電リストのトークスクリプト', 'The call list’s talk script'],
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
    '電話が接続されていないため、通話機能は使えません。照会・履歴・データ入力・検索は利用できます。',
    'Call features are not connected yet. Look-up, history, data entry and search work.',
  ],
  'ops.unavailable': ['利用できません: {reason}', 'Unavailable: {reason}'],

  // The call (state/call.ts, the status in the operation menu)
  'status.ready': ['待受中', 'Ready'],
  'status.lost': ['電話 再接続中', 'Phone reconnecting'],
  'status.connecting': ['電話 接続中', 'Phone connecting'],
  'status.noPhone': ['電話なし', 'No phone'],
  'status.waiting': ['着信をお待ちしています（受付可のため発信はできません）', 'Waiting for calls (no dialling while Available)'],
  'status.canDial': ['着信は受けません。番号を入力して発信できます', 'No calls come in. Type a number to dial'],
  'status.offlineCanDial': ['オフラインです（着信しません）。受付可にすると着信します', 'Offline (no calls come in). Choose Available to take calls'],
  'status.wrapUp': ['残り {left}（終了後は{status}）', '{left} left (then {status})'],
  'status.wrapUpNoClock': ['終了後は{status}', 'then {status}'],
  'status.wrapUpExtend': ['延長', 'Extend'],
  'status.wrapUpExtendHint': ['後処理の時間を最初から数え直します', 'Start the wrap-up time over'],
  'status.wrapUpEnd': ['後処理終了', 'End wrap-up'],
  'status.wrapUpEndHint': ['後処理を終えて{status}に戻ります', 'End wrap-up and go back to {status}'],
  'wrapUp.statusRequired': ['対応ステータスを選んでから後処理を終えてください', 'Choose the response status before ending wrap-up'],
  'wrapUp.statusRequiredShort': ['対応ステータスを選んでください', 'Choose the response status'],
  'wrapUp.keptForStatus': ['対応ステータスが未選択のため、後処理を延長しました', 'Wrap-up was extended: the response status is not chosen yet'],
  'status.ringing': ['着信中', 'Ringing'],
  'status.transferRinging': ['転送着信', 'Transfer ringing'],
  'status.dialing': ['発信中', 'Dialing'],
  'status.connected': ['通話中', 'On a call'],
  'status.connectedTo': ['{party}', '{party}'],
  'status.held': ['保留中', 'On hold'],
  'status.handover': ['引継ぎ中', 'Handover'],
  'status.handoverWith': ['{name} さんと通話中（お客様は保留中）', 'Talking with {name} (the customer is on hold)'],
  'status.transferring': ['転送中', 'Transferring'],
  'status.transferRingingTo': ['{name} さんを呼出中…', 'Ringing {name}…'],
  'status.transferAnswered': ['{name} さんと通話中（転送先）', 'Talking with {name} (transfer)'],
  'status.consultRinging': ['相談先を呼出中', 'ringing the other party'],
  'status.consultConnected': ['相談先と通話中', 'talking with the other party'],
  'status.reconnecting': ['お客様を再接続しています', 'reconnecting the customer'],
  'status.rejoin': ['再接続', 'Rejoin'],
  'status.cancelTransfer': ['転送取消', 'Cancel transfer'],
  'status.openConsult': ['保留中発信', 'Call another party'],
  'status.mute': ['ミュート', 'Mute'],
  'status.unmute': ['ミュート解除', 'Unmute'],
  'call.unknownNumber': ['番号非通知', 'Number withheld'],
  'call.heard': ['案内: {text}', 'Announcement: {text}'],
  'call.ended': ['通話が終了しました（{party}）', 'The call ended ({party})'],
  'call.missed': ['着信が取り消されました（お客様が切断したか、呼出時間を過ぎました）', 'The call stopped ringing (the caller hung up, or it rang out)'],
  'call.rejected': ['着信を拒否しました。ほかのオペレータに回されます', 'Declined: the call goes to another operator'],
  'call.refused': ['発信できませんでした。{text}', 'The call was not placed. {text}'],
  'call.refusedAvailable': ['受付可の状態では発信できません。ステータスを変更してから発信してください。', 'You cannot dial while Available; change your status first.'],
  'call.dialFailed': ['発信できませんでした。番号と発信回線を確認してください', 'The call could not be placed; check the number and the line'],
  'call.legLost': ['電話の接続が切れましたが、通話は続いています。［再接続］で戻れます', 'Your phone left the call, which goes on. Use Rejoin to get back'],
  'call.noPhone': ['電話が準備できていません', 'The phone is not ready'],
  'call.phoneNotReady': ['電話が接続されていません（接続中）', 'The phone is not connected (connecting)'],
  'call.noNumber': ['電話番号を入力してください', 'Type a phone number'],
  'call.noLine': ['発信回線が設定されていません', 'No outbound line is configured'],
  'call.rejoining': ['電話を呼び出しています…', 'Ringing your phone…'],
  'call.rejoined': ['通話に戻りました', 'You are back on the call'],
  'call.needRejoin': ['この画面の電話は通話に接続されていません。［再接続］で通話に戻れます', 'This page’s phone is not in the call. Rejoin to get back to it'],
  'call.recordingPaused': ['録音を一時停止しました（この間は録音に残りません）', 'Recording paused (nothing is recorded meanwhile)'],
  'call.recordingResumed': ['録音を再開しました', 'Recording resumed'],
  'status.recording': ['● 録音中', '● Recording'],
  'status.recordingPaused': ['録音停止中', 'Recording paused'],
  'status.recordingPauseHint': ['録音を一時停止します（カード番号などを伺うとき）', 'Pause the recording (while a card number is read out, say)'],
  'status.recordingResumeHint': ['録音を再開します', 'Resume the recording'],
  'status.keypad': ['キーパッド', 'Keypad'],
  'status.keypadHint': ['プッシュ信号（DTMF）を送ります', 'Send touch tones (DTMF)'],
  'status.keypadSent': ['送信: {digits}', 'Sent: {digits}'],
  'audio.open': ['音声設定', 'Audio'],
  'call.adopted': ['通話が続いています（{party}）', 'Your call is still going on ({party})'],
  'call.noCall': ['通話していません', 'There is no call'],
  'call.working': ['処理中です', 'Working…'],
  'call.onCall': ['通話中です', 'You are on a call'],
  'call.availableNoDial': ['受付可の状態では発信できません。離席などに変えてから発信してください', 'You cannot dial while Available: choose another status (Away, say) first'],
  'call.transferPending': ['転送の引継ぎ中は使えません', 'Not while a transfer is being handed over'],
  'call.notConnected': ['通話がつながってから使えます', 'Available once the call is connected'],
  'phone.notConnected': ['電話が接続されていません。しばらくしてからもう一度お試しください', 'The phone is not connected; try again shortly'],
  'phone.connectionLost': ['電話サーバーとの接続が切れました', 'The connection to the phone server was lost'],
  'phone.connectTimeout': ['発信の応答がありません。もう一度お試しください', 'The call did not start; try again'],
  'phone.micDenied': ['マイクの使用が許可されていません。ブラウザのアドレスバーからマイクを許可してください', 'The microphone is blocked; allow it from the browser address bar'],
  'phone.tokenExpired': ['電話の認証の有効期限が切れました。更新しています', 'The phone credentials expired; renewing them'],
  'phone.tokenFailed': ['電話の認証を更新できませんでした: {detail}', 'Could not renew the phone credentials: {detail}'],
  'phone.sdkError': ['電話のエラー（{code}）: {detail}', 'Phone error ({code}): {detail}'],
  'phone.noSuchLeg': ['この通話はもう電話にありません', 'This call is no longer on the phone'],
  'phone.deviceN': ['デバイス {n}', 'Device {n}'],
  'phone.closeProtection': ['通話中です。ページを離れると通話が切れます。', 'You are on a call. Leaving the page ends it.'],
  'live.down': ['リアルタイム更新が途切れています。再接続しています…', 'Live updates are interrupted. Reconnecting…'],
  'phone.reconnected': ['電話が再接続されました', 'The phone is connected again'],
  'phone.lost': ['電話が切断されました（{reason}）。再接続しています…', 'The phone is disconnected ({reason}); reconnecting…'],
  'phone.startFailed': ['電話を起動できませんでした: {detail}', 'The phone did not start: {detail}'],

  // Incoming call dialog
  'incoming.title': ['着信', 'Incoming call'],
  'incoming.transferTitle': ['転送の着信', 'Transferred call'],
  'incoming.rejoinTitle': ['通話への呼び戻し', 'Back to your call'],
  'incoming.transferFrom': ['{name} さんからの{mode}', '{mode} from {name}'],
  'incoming.offerRinging': ['まもなく電話が鳴ります…', 'Your phone is about to ring…'],
  'incoming.offerWait': ['電話が鳴ると応答できます', 'You can answer once your phone rings'],
  'incoming.offerNoPhone': [
    '電話が接続されていないため、この転送に応答できません。{name} さんに連絡してください',
    'Your phone is not connected, so this transfer cannot ring here; let {name} know',
  ],
  'incoming.withScreen': ['（画面転送あり）', '(with screen transfer)'],
  'incoming.screenLoading': ['（画面転送を読み込み中…）', '(loading the screen transfer…)'],
  'incoming.ringBackTransfer': ['転送先が応答しなかったため、お客様との通話に戻ります（お客様は保留中）', 'The transfer was not answered: back to your customer (on hold)'],
  'incoming.ringBackReconnect': ['お客様が保留のまま残っています。応答して通話に戻ってください', 'Your customer is left on hold; answer to get back to them'],
  'incoming.ringBackRejoin': ['あなたの通話に戻ります', 'Back to your call'],
  'incoming.accept': ['応答', 'Answer'],
  'incoming.reject': ['拒否', 'Decline'],

  // Consultation during hold
  'consult.ended': ['相談先との通話が終わりました。お客様は保留中です', 'The other party hung up; the customer is still on hold'],
  'consult.noAnswer': ['相談先が応答しませんでした。お客様は保留中です', 'The other party did not answer; the customer is still on hold'],

  // Transfer
  'transfer.warm': ['ウォーム転送', 'Warm transfer'],
  'transfer.cold': ['ブラインド転送', 'Blind transfer'],
  'transfer.ringingWarm': ['{name} さんを呼び出しています。応答したら話してから［切断］してください', 'Ringing {name}. When they answer, talk, then hang up'],
  'transfer.ringingCold': ['{name} さんへ転送しました（ブラインド転送）', 'Transferred to {name} (blind)'],
  'transfer.inProgress': ['転送中です', 'A transfer is under way'],
  'transfer.answered': ['{name} さんが応答しました。話し終えたら［切断］で転送が完了します（お客様は保留中）', '{name} answered. Hang up when done to complete the transfer (the customer is on hold)'],
  'transfer.consultFirst': ['相談先との通話を切断してから転送してください', 'Hang up the other party before transferring'],
  'transfer.canceled': ['転送を取り消しました。お客様は保留中です', 'Transfer called off; the customer is on hold'],
  'transfer.failed': ['{name} さんへ転送できませんでした（{reason}）。お客様は保留中です', 'The transfer to {name} did not go through ({reason}); the customer is on hold'],
  'transfer.reason.noAnswer': ['応答なし', 'no answer'],
  'transfer.reason.busy': ['拒否されました', 'declined'],
  'transfer.reason.targetLeft': ['転送先が切断しました', 'they hung up'],
  'transfer.reason.canceled': ['取り消し', 'called off'],
  'transfer.reason.failed': ['接続できませんでした', 'could not connect'],
  'transfer.done': ['{name} さんへ転送しました', 'Transferred to {name}'],
  'transfer.doneUnknown': ['通話は別のオペレータに引き継がれました', 'The call was handed to another operator'],
  'transfer.missed': ['転送の着信が取り消されました', 'The transfer stopped ringing'],
  'transfer.left': ['転送の引継ぎを終了しました（通話は {name} さんに戻ります）', 'You left the handover (the call stays with {name})'],
  'transfer.takenOver': ['{name} さんから通話を引き継ぎました', 'You took the call over from {name}'],
  'transfer.handoffFailed': ['画面転送を読み込めませんでした: {detail}', 'Could not load the screen transfer: {detail}'],
  'transfer.screenArrived': ['{name} さんから画面転送を受け取りました', 'Screen transfer received from {name}'],
  'transfer.draftKept': [
    '{name} さんから画面転送を受け取りました。データ入力に未保存の入力があるため、問合せの下書きは反映していません',
    'Screen transfer received from {name}. Data entry has unsaved input, so the draft was not applied',
  ],
  'transfer.applyDraft': ['下書きを反映', 'Apply the draft'],

  // Call lists
  'callList.notServed': ['このサーバーでは架電リストが提供されていません', 'This server does not provide call lists'],
  'callList.checking': ['架電リストを確認しています', 'Checking for call lists'],
  'callList.nothingLeft': ['架電できる対象はありません', 'Nothing left to call'],
  'callList.ready': [
    '架電リスト: {name}（{phone}）を表示しました。発信回線は「{line}」です。［発信応答］で発信します',
    'Call list: {name} ({phone}) is shown on the line "{line}". Dial / Answer calls them',
  ],
  'callList.released': ['{name} を架電リストに戻しました', '{name} went back to the call list'],
  'callList.recorded': ['{name} の架電結果を記録しました', 'The result for {name} is recorded'],
  'callList.needStatus': ['対応ステータスを選んでください', 'Choose a response status'],
  'callList.needCallback': ['再架電の日時を入力してください', 'Enter when to call back'],
  'callList.badge': ['架電リスト', 'Call list'],
  'callList.result': ['結果を記録', 'Record result'],

  // Tasks: voicemails and callback requests (dialogs/TasksDialog.tsx)
  'ops.tasks': ['タスク', 'Tasks'],
  'tasks.kind.voicemail': ['留守番電話', 'Voicemail'],
  'tasks.kind.callback': ['折り返し依頼', 'Callback request'],
  'tasks.state.open': ['未対応', 'Not taken'],
  'tasks.state.taken': ['{name} が対応中', '{name} is on it'],
  'tasks.state.done': ['{name} が完了', 'Done by {name}'],
  'tasks.taken': ['タスクを担当しました', 'You took the task'],
  'tasks.finished': ['タスクを完了しました', 'Task done'],
  'tasks.undone': ['タスクを戻しました', 'Task put back'],
  'tasks.noNumber': ['番号非通知のため折り返しできません', 'The number was withheld: no callback possible'],
  'tasks.lineGone': ['着信回線が設定から削除されています。選択中の回線で発信します', 'The line called was removed from the settings; calling on the chosen line'],
  'err.task_taken': ['ほかのオペレータが対応中です。別のタスクを選んでください', 'Another operator has this task; choose another one'],
  'err.task_done': ['このタスクはすでに完了しています', 'This task is already done'],
  'err.not_task_holder': ['このタスクを担当していません。一覧から「対応する」を押してください', 'You do not hold this task; take it from the list first'],

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
    'Ctrl+Z: 【オペレータ】を挿入 / Ctrl+X: 【お客様】を挿入（カーソル位置。文字を選択しているときは選択を消さず、その後ろに挿入）。元に戻すには［元に戻す］ボタンか Ctrl+Shift+Z、やり直しは Ctrl+Y。切り取りは右クリックメニューか Shift+Delete で行えます。',
    'Ctrl+Z inserts 【オペレータ】 and Ctrl+X inserts 【お客様】 at the caret (after the selection when text is selected: it is never replaced). To undo, use the Undo button or Ctrl+Shift+Z; Ctrl+Y redoes. Cut is on the context menu or Shift+Delete.',
  ],
  'memo.state.local': ['未保存', 'Not saved'],
  'memo.state.localHint': [
    'メモはこの画面にのみ保持されています（保存機能は通話機能とともに提供されます）。',
    'The memo is kept in this page only (saving comes with the call features).',
  ],
  'memo.state.unsaved': ['未保存', 'Not saved'],
  'memo.state.unsavedHint': [
    '入力内容はこの画面に保持しています。手を止めたとき（1分に1回まで）、対応ステータスを選んだとき、メモ欄を離れたときに保存します。',
    'What you typed is kept on this page. It is saved when you pause (at most once a minute), choose a response status, or leave the memo.',
  ],
  'memo.state.saving': ['保存中…', 'Saving…'],
  'memo.state.saved': ['保存済み', 'Saved'],
  'memo.state.conflict': ['競合', 'Conflict'],
  'memo.state.conflictHint': ['他の画面でメモが更新されました。', 'The memo was changed elsewhere.'],
  'memo.state.error': ['保存エラー', 'Save failed'],
  'memo.state.pending': ['保存待ち', 'Waiting to save'],
  'memo.state.pendingHint': [
    '保存できませんでした（{detail}）。入力内容はこのブラウザに保持し、自動で再試行します。',
    'Not saved ({detail}). What you typed is kept in this browser and tried again automatically.',
  ],
  'memo.pending.count': ['前の通話 {count}件 保存待ち', 'Earlier calls: {count} waiting'],
  'memo.pending.countStuck': ['前の通話 {count}件 要確認', 'Earlier calls: {count} to check'],
  'memo.pending.hint': [
    '前の通話のメモがまだ保存されていません。クリックで一覧を表示します。',
    'Memos of earlier calls are not saved yet; click to list them.',
  ],
  'memo.pending.title': ['まだ保存されていない前の通話のメモ', 'Memos of earlier calls not saved yet'],
  'memo.pending.waiting': ['保存待ち（自動で再試行します）', 'Waiting (tried again automatically)'],
  'memo.pending.refused': ['保存できません: {detail}', 'Cannot be saved: {detail}'],
  'memo.pending.conflict': ['他の画面で更新されています', 'Changed elsewhere meanwhile'],
  'memo.pending.empty': ['（空のメモ）', '(empty memo)'],
  'memo.pending.retry': ['今すぐ再試行', 'Retry now'],
  'memo.pending.copy': ['コピー', 'Copy'],
  'memo.pending.copied': ['メモをクリップボードにコピーしました', 'The memo was copied to the clipboard'],
  'memo.pending.copyFailed': ['クリップボードにコピーできませんでした', 'Could not copy to the clipboard'],
  'memo.pending.discard': ['破棄', 'Discard'],
  'memo.pending.discardConfirm': [
    'このメモを破棄しますか？保存されていない内容は失われます。',
    'Discard this memo? What was not saved will be lost.',
  ],
  'memo.noCall': ['通話がないため保存できません', 'There is no call to save it to'],
  'memo.loadFailed': ['会話メモを読み込めませんでした: {detail}', 'Could not load the memo: {detail}'],
  'memo.takeTheirs': ['最新を読み込む', 'Load the latest'],
  'memo.limit.count': ['{count}文字（上限 {max}文字）', '{count} characters (at most {max})'],
  'memo.limit.full': [
    '会話メモは{max}文字までです。これ以上は入力できません。',
    'A memo holds at most {max} characters; nothing more can be typed.',
  ],
  'memo.limit.over': [
    '会話メモは{max}文字までです。{over}文字多いため保存できません。減らすと保存されます。',
    'A memo holds at most {max} characters; this one is {over} over and cannot be saved until shortened.',
  ],
  'memo.keepMine': ['自分の内容で上書き', 'Overwrite with mine'],

  // 4. Response history
  'history.calls': ['通話履歴', 'Call history'],
  'history.new': ['新規', 'New'],
  'history.newHint': ['{object}をデータ入力に新規作成', 'Create a new {object} in Data entry'],
  'history.empty': ['履歴はありません', 'No history'],
  'history.wordPlaceholder': ['メモ・文字起こしの言葉で検索', 'Search by a word of the memo or transcript'],
  'history.wordGo': ['検索', 'Search'],
  'history.wordClear': ['すべて表示', 'Show all'],
  'history.wordNone': ['「{word}」を含む通話はこの範囲にありません', 'No call here holds “{word}”'],
  'history.said.customer': ['お客様: ', 'Customer: '],
  'history.said.operator': ['オペレーター: ', 'Operator: '],
  'history.needLookup': ['電話番号を照会すると履歴が表示されます', 'Look up a number to see its history'],
  'history.when': ['日時', 'When'],
  'history.direction': ['種別', 'Direction'],
  'history.operator': ['担当', 'Operator'],
  'history.duration': ['通話時間', 'Duration'],
  'history.status': ['対応ステータス', 'Status'],
  'history.memo': ['メモ', 'Memo'],
  'history.recording': ['録音', 'Recording'],
  'recording.play': ['再生', 'Play'],
  'recording.playing': ['再生中', 'Playing'],
  'recording.of': ['{when} の通話の録音', 'Recording of the call at {when}'],
  'recording.playHint': ['この通話の録音を再生します', 'Play the recording of this call'],
  'recording.deleted': ['削除済み', 'Deleted'],
  'recording.deletedTitle': ['保存期間を過ぎたため削除済み', 'Deleted after the retention period'],
  'history.title': ['件名', 'Title'],
  'history.abandoned': ['放棄', 'Abandoned'],
  'history.kind.inbound': ['着信', 'In'],
  'history.kind.outbound': ['発信', 'Out'],
  'history.kind.abandoned': ['放棄呼', 'Abandoned'],
  'history.kind.missed': ['不在着信', 'Missed'],
  'history.loading': ['読み込み中…', 'Loading…'],

  // 5. Data entry
  'entry.object': ['オブジェクト', 'Object'],
  'entry.mode.new': ['新規', 'New'],
  'entry.mode.edit': ['編集', 'Edit'],
  'entry.mode.copy': ['コピー', 'Copy'],
  'entry.linkedAccount': ['取引先', 'Account'],
  'entry.linkedContact': ['担当者', 'Contact'],
  'entry.unlink': ['紐づけを外す', 'Unlink'],
  'entry.replace.edit': [
    '入力中の{current}は保存されていません。破棄して{object}の修正を開きますか？',
    'The {current} being typed is not saved. Discard it and edit the {object}?',
  ],
  'entry.replace.copy': [
    '入力中の{current}は保存されていません。破棄して{object}のコピーを開きますか？',
    'The {current} being typed is not saved. Discard it and open a copy of the {object}?',
  ],
  'entry.replaceKeep': ['入力を続ける', 'Keep typing'],
  'entry.replaceDiscard': ['破棄して開く', 'Discard and open'],
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
  'endReason.unknown': ['切断（理由不明：Twilio に通話の記録がありません）', 'Cut off (reason unknown: Twilio has no record of the call)'],
  'endReason.abandoned': ['放棄', 'Abandoned'],
  'endReason.caller_gone': ['待ち中にお客様が切断（通知なし）', 'Caller left while waiting (not reported)'],
  'endReason.caller_gone_before_answer': [
    '応答したときにはお客様がすでに切断していました',
    'The caller had already hung up when the operator answered',
  ],
  'detail.empty': ['検索するか、対応履歴のデータをクリックすると詳細が表示されます', 'Search, or click a record in the history, to see its details'],

  // User management (the admin page's ユーザー管理 section)
  'err.invalid_email': ['メールアドレスの形式が正しくありません（例: name@example.jp）', 'That is not an e-mail address (e.g. name@example.jp)'],
  'err.email_taken': ['このメールアドレスのユーザーはすでに登録されています', 'A user with this e-mail address already exists'],
  'err.unknown_role': ['ロールを選んでください', 'Choose a role'],
  'err.invalid_name': ['氏名に改行や制御文字は使えません', 'The name cannot contain line breaks or control characters'],
  'err.self_lockout': [
    '自分自身を無効化したり、自分の管理者ロールを外したりすることはできません。ほかの管理者に依頼してください',
    'You cannot disable yourself or remove your own admin role; ask another admin',
  ],
  'err.nothing_to_change': ['変更する内容がありません', 'There is nothing to change'],
  'err.invalid_cursor': ['ページ情報が無効です。最初のページから表示し直してください', 'The page is no longer valid; start again from the first page'],
  'err.rejected_by_directory': ['ユーザー管理サービスが入力を受け付けませんでした', 'The user directory refused the values'],
  'err.user_disabled': [
    'このユーザーは管理者によって無効化されているため、サインインできません。管理者に有効化を依頼してください',
    'This user has been disabled by an administrator, so it cannot sign in. Ask an administrator to enable it.',
  ],
  'err.no_role': [
    'このユーザーにはロールが設定されていません。管理者にロールの設定を依頼してください',
    'This user has no role yet. Ask an administrator to give it one.',
  ],

  // Supervisor monitoring (/monitor)
  'monitor.title': ['モニタリング', 'Monitoring'],
  'reports.title': ['レポート', 'Reports'],
  'presence.callbackHanded': [
    '折り返し依頼をお渡ししました。タスクからお客様へ折り返してください（離席にしています）。',
    'A callback request is yours: call the customer back from the task (you are set away).',
  ],
  'presence.releasedCustomerGone': [
    'お客様はすでに切断されていたため、通話を終了しました。受付可に戻っています。',
    'The caller had already hung up, so the call was ended. You are available again.',
  ],

  // Call-list administration (/admin/call-lists)
  'lists.import.step1': ['ファイルを選ぶ', 'Pick the file'],
  'lists.import.step2': ['列の対応を確認', 'Check the columns'],
  'lists.import.step3': ['取り込み', 'Import'],

  // Monitoring and call-list errors by API code
  'err.operator_on_hold': [
    'オペレータが保留中のため、ささやきはできません。保留解除後にお試しください',
    'The operator is on hold, so you cannot whisper; try again once they are back',
  ],
  'err.already_monitored': ['他のスーパーバイザーがこの通話をモニタリングしています', 'Another supervisor is already monitoring this call'],
  'err.unknown_script': ['このトークスクリプトは設定されていません', 'That talk script is not configured'],
  'err.invalid_columns': ['CSVの列名が正しくありません（列は1〜100個、列名は短くしてください）', 'The column names are invalid (1 to 100 columns, short names)'],
  'err.unknown_column': ['対応づけた列がファイルにありません', 'A mapped column is not in the file'],
  'err.ambiguous_column': ['同じ名前の列が複数あります。見出しの列名を変えてください', 'Several columns have that name; rename them in the header'],
  'err.column_mapped_twice': ['同じ列を2つの項目に割り当てています', 'A column is used twice'],
  'err.too_many_columns': ['そのまま保存する列が多すぎます（20列まで）', 'Too many kept columns (at most 20)'],
  'err.empty_file': ['ファイルが空です', 'The file is empty'],
  'err.not_csv': ['CSVファイルではありません（Excelブックの場合は「CSV」形式で保存してください）', 'Not a CSV file (save an Excel workbook as CSV)'],
  'err.unsupported_encoding': ['UTF-16 のファイルは取り込めません。「CSV UTF-8」または「CSV（Shift_JIS）」で保存してください', 'UTF-16 files cannot be imported; save as CSV UTF-8 or CSV (Shift_JIS)'],
  'err.malformed_csv': ['CSVとして読み取れない箇所があります', 'Part of the file cannot be read as CSV'],
  'err.duplicate_line': ['同じ行が二度送信されました。取り込みをやり直してください', 'A line was sent twice; start the import again'],
  'err.chunk_differs': ['この取り込みには別の内容が送信済みです。ファイルが変更された場合は新しく取り込んでください', 'Different rows were already sent for this import; import a changed file anew'],
  'err.file_too_long': ['ファイルの行数が上限を超えています', 'The file has too many lines'],
  'err.invalid_first_line': ['行番号が正しくありません', 'Invalid line number'],
  'err.busy': ['他の処理と重なりました。もう一度お試しください', 'Something else changed it at the same moment; try again'],
  'err.invalid_state': ['状態の指定が正しくありません', 'Unknown target state'],

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
  'err.throttled': ['混み合っているため受け付けられませんでした。少し待ってからもう一度お試しください', 'The service is busy and did not take the request; try again in a moment'],
  'err.unavailable': ['サービスが一時的に利用できません。しばらくしてから再度お試しください', 'The service is temporarily unavailable; try again shortly'],
  'err.internal': ['予期しないエラーが発生しました', 'An unexpected error occurred'],
  'err.network': ['サーバーに接続できません', 'Cannot reach the server'],
  'err.call_ended': ['この通話はすでに終了しています', 'This call has already ended'],
  'err.not_on_hold': ['お客様を保留にしてから発信してください', 'Put the customer on hold before calling another party'],
  'err.transfer_in_progress': ['転送中のため操作できません。転送が終わるか取り消してから操作してください', 'A transfer is under way; wait for it to end or cancel it'],
  'err.transfer_cannot_be_canceled': ['この転送は取り消せません（ブラインド転送、または終了済み）', 'This transfer cannot be called off (blind, or over)'],
  'err.no_transfer': ['取り消す転送がありません', 'There is no transfer to call off'],
  'err.target_offline': ['転送先はオフラインです。サインインしているオペレータを選んでください', 'That operator is signed out; choose someone signed in'],
  'err.target_busy': ['転送先は対応中です。ほかのオペレータを選ぶか、少し待ってからお試しください', 'That operator is busy; choose someone else or try again shortly'],
  'err.target_not_available': ['転送先は受付可ではありません。受付可のオペレータを選んでください', 'That operator is not taking calls; choose someone who is Available'],
  'err.same_operator': ['自分自身には転送できません', 'You cannot transfer to yourself'],
  'err.unknown_operator': ['転送先のオペレータが見つかりません', 'No such operator'],
  'err.invalid_operator': ['転送先のオペレータが正しくありません', 'Invalid operator'],
  'err.not_connected': ['お客様または自分の電話が通話に接続されていません。再接続してからお試しください', 'The customer or your phone is not connected; rejoin first'],
  'err.consult_in_progress': ['相談先との通話を切断してから転送してください', 'Hang up the other party before transferring'],
  'err.already_connected': ['すでに通話に接続されています', 'You are still connected to this call'],
  'err.no_conference': ['通話がまだつながっていません', 'The call is not connected yet'],
  'err.no_operator': ['この通話にオペレータがいません', 'No operator is on this call'],
  'err.rejected_by_twilio': ['電話サービスが操作を受け付けませんでした: {detail}', 'The phone service refused the action: {detail}'],
  'err.unknown_line': ['発信回線を選択してください', 'Choose an outbound line'],
  'err.call_live': [
    'この通話は Twilio 上でまだつながっているため解放しませんでした。オペレータに切断してもらうか、通話が終わってからもう一度お試しください。',
    'The call is still connected on Twilio, so the operator was not released. Ask them to hang up, or try again once the call has ended.',
  ],
  'err.response_status_required': [
    '対応ステータスが未選択です。会話メモで対応ステータスを選んでから後処理を終えてください',
    'The response status is not chosen: choose it in the memo before ending wrap-up',
  ],
  'err.call_in_progress': ['通話中（または着信中）はステータスを変更できません', 'Finish the ringing or connected call before changing your status'],
  'err.system_status': ['「通話中」は通話に応じて自動で設定されます', '"On a call" is set by calls'],
  'err.unknown_status': ['このステータスは設定されていません', 'That status is not configured'],
  'err.memo_too_long': ['会話メモは10,000文字までです', 'A memo holds at most 10,000 characters'],
  'err.unknown_response_status': ['この対応ステータスは設定されていません', 'That response status is not configured'],
  'err.target_leased': ['この架電先は別のオペレータが架電中です', 'Another operator is calling this target'],
  'err.target_done': ['この架電先は完了しています', 'This target is done'],
  'err.not_leased': ['この架電先を保持していません（期限切れの可能性があります）', 'You do not hold this target (the lease may have run out)'],

  // Dial-out policy, 手上げ, shortcuts, click-to-dial and the pre-call check
  'err.barred_country': ['{detail}', 'Calls to this country are not allowed (an admin can allow it): {detail}'],
  'err.premium_rate_number': ['{detail}', 'Premium-rate numbers cannot be dialled: {detail}'],
  'err.offline': ['オフラインの間は手上げできません', 'You cannot raise your hand while offline'],
  'consult.handedOver': ['お客様を相談先に転送しました。後処理に入ります', 'The customer was handed over; you are in wrap-up'],
  'consult.coldHandedOver': ['お客様を {number} へ転送しました。後処理に入ります', 'The customer was handed to {number}; you are in wrap-up'],
  'detail.external': ['外部転送', 'Transferred out'],
  'history.external': ['外部転送 → {to}', 'Transferred out → {to}'],
  'history.externalTitle': ['{by} が {to} へ外部転送（{mode}）', '{by} handed the call to {to} ({mode})'],
  'history.externalMode.warm': ['相手と話してから', 'after talking to them'],
  'history.externalMode.cold': ['応答を待たずに', 'without waiting'],
  'err.no_consult': ['相談先がまだつながっていません。応答してから転送してください', 'The other party is not connected yet; transfer once they answer'],
  'hand.raise': ['手上げ', 'Raise hand'],
  'hand.lower': ['手を下ろす', 'Lower hand'],
  'hand.raisedTitle': ['スーパーバイザーを呼んでいます（{time} から）。もう一度押すと下ろします', 'Asking a supervisor since {time}; press again to lower'],
  'hand.raiseTitle': ['スーパーバイザーに助けを求めます（ボードに表示されます）', 'Ask a supervisor for help (shown on their board)'],
  'hand.raised': ['手上げしました。スーパーバイザーのボードに表示されています', 'Hand raised: it shows on the supervisors\' board'],
  'hand.lowered': ['手を下ろしました', 'Hand lowered'],
  'keys.title': ['キーボードショートカット', 'Keyboard shortcuts'],
  'keys.open': ['ショートカット一覧（?）', 'Shortcuts (?)'],
  'keys.answer': ['応答', 'Answer'],
  'keys.hang_up': ['切断', 'Hang up'],
  'keys.hold': ['保留 / 保留解除', 'Hold / unhold'],
  'keys.mute': ['ミュート / ミュート解除', 'Mute / unmute'],
  'keys.transfer': ['転送', 'Transfer'],
  'keys.help': ['この一覧を表示 / 閉じる', 'Show / close this list'],
  'keys.off': ['（なし）', '(none)'],
  'keys.memoOperator': ['会話メモに【オペレータ】を挿入', 'Insert 【オペレータ】 in the memo'],
  'keys.memoCustomer': ['会話メモに【お客様】を挿入', 'Insert 【お客様】 in the memo'],
  'keys.memoNote': [
    '会話メモで文字を選択しているときは、選択した文字を消さずにその後ろに挿入します。',
    'With text selected in the memo, the word is inserted after the selection; nothing selected is removed.',
  ],
  'keys.admin': ['ショートカットは管理画面の「キーボードショートカット」で変更できます。', 'An admin changes them under Keyboard shortcuts on the admin page.'],
  'keys.noRinging': ['応答する着信はありません', 'No call is ringing'],
  'keys.noCall': ['通話がありません', 'There is no call'],
  'dial.title': ['{number} に発信', 'Call {number}'],
  'dial.onCall': ['通話中は発信できません', 'You cannot dial while on a call'],
  'dial.consultFilled': ['保留中外線発信の発信先に {number} を入れました', '{number} is filled in as the other party'],
  'check.open': ['通話前チェック', 'Pre-call check'],
  'check.needed': ['通話前チェック未実施', 'Pre-call check not done'],
  'check.okChip': ['通話前チェック済み', 'Pre-call check done'],
  'check.warnChip': ['通話前チェック: 要確認', 'Pre-call check: look again'],
} as const satisfies Record<string, readonly [string, string]>;

/** A message of the first load's dictionary, or of the parts fetched on demand (./i18nParts.ts). */
export type MessageKey = keyof typeof messages | keyof typeof partMessages;

type Pair = readonly [string, string];
let parts: Record<string, Pair> | null = null;
let partsLoading: Promise<void> | null = null;

/** Fetches the words of the parts loaded on demand (once; again after a failure). */
export function loadPartTexts(): Promise<void> {
  partsLoading ??= import('./i18nParts').then(
    (m) => {
      parts = m.partMessages;
    },
    (e: unknown) => {
      partsLoading = null;
      throw e;
    },
  );
  return partsLoading;
}

/** `load` (a part's chunk) with the words it shows: resolves once both are here. */
export function withPartTexts<T>(load: Promise<T>): Promise<T> {
  return Promise.all([load, loadPartTexts()]).then(([m]) => m);
}

function pairOf(key: string): Pair | undefined {
  return (messages as Record<string, Pair>)[key] ?? parts?.[key];
}

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
  const pair = pairOf(key);
  // A part's words are fetched with the part, before it is shown: a key without them is a bug.
  if (!pair) return key;
  let s: string = lang.value === 'en' ? pair[1] : pair[0];
  if (vars) {
    for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
  }
  return s;
}

/** Whether a key exists (error codes are looked up dynamically). */
export function hasMessage(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(messages, key) || (parts !== null && Object.prototype.hasOwnProperty.call(parts, key));
}

/** The title of a talk script in the current language. */
export function titleOf(x: { title: string; title_en?: string | null | undefined } | undefined | null): string {
  if (!x) return '';
  return lang.value === 'en' && x.title_en ? x.title_en : x.title;
}

/** The label of a setting-defined thing in the current language. */
export function labelOf(x: { label: string; label_en?: string | null | undefined } | undefined | null): string {
  if (!x) return '';
  return lang.value === 'en' && x.label_en ? x.label_en : x.label;
}
