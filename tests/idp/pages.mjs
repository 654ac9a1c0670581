// The provider's own pages: the login form, the new-password form and the error page. Plain
// HTML forms, Japanese first with English beside it, every value escaped.

const escapeHtml = (s) =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

/** The refusal when the two new-password fields differ. */
export const PASSWORDS_DIFFER = 'The two passwords differ.';

/** Japanese for the refusals a user pool gives (Cognito's English messages as keys). */
const JAPANESE = new Map([
  ['Incorrect username or password.', 'ユーザー名またはパスワードが正しくありません。'],
  ['User is disabled.', 'このユーザーは無効になっています。管理者に連絡してください。'],
  [PASSWORDS_DIFFER, '確認用のパスワードが一致しません。'],
  ['Invalid code received for user', '確認コードが正しくありません。'],
]);

function refusalText(message) {
  const ja = JAPANESE.get(message) ?? (/password/i.test(message) ? 'このパスワードは使用できません。' : 'サインインできませんでした。');
  return `${ja} (${message})`;
}

function layout(title, body) {
  return `<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: 'Noto Sans CJK JP', 'Hiragino Sans', sans-serif; background: #eef1f5; margin: 0; }
  main { max-width: 380px; margin: 12vh auto; background: #fff; padding: 28px 32px; border-radius: 8px;
         box-shadow: 0 2px 10px rgba(0,0,0,.12); }
  h1 { font-size: 20px; margin: 0 0 4px; }
  p.sub { color: #555; margin: 0 0 20px; font-size: 13px; }
  label { display: block; font-size: 14px; margin: 14px 0 4px; }
  label small { color: #666; }
  input { width: 100%; box-sizing: border-box; font-size: 15px; padding: 8px; border: 1px solid #aab; border-radius: 4px; }
  button { margin-top: 22px; width: 100%; padding: 10px; font-size: 15px; background: #1f5fa8; color: #fff;
           border: 0; border-radius: 4px; cursor: pointer; }
  .error { background: #fdecea; color: #8a1c14; padding: 8px 10px; border-radius: 4px; font-size: 14px; }
</style>
</head>
<body><main>${body}</main></body>
</html>`;
}

/** The sign-in form. */
export function loginPage({ action, clientName, login = '', error }) {
  return layout(
    'サインイン (Sign in)',
    `<h1>サインイン <small>(Sign in)</small></h1>
<p class="sub">${escapeHtml(clientName)}</p>
${error ? `<p class="error" role="alert" id="login-error">${escapeHtml(refusalText(error))}</p>` : ''}
<form method="post" action="${escapeHtml(action)}" autocomplete="off">
  <label for="username">ユーザー名またはメールアドレス <small>(Username or email)</small></label>
  <input id="username" name="username" required autofocus value="${escapeHtml(login)}">
  <label for="password">パスワード <small>(Password)</small></label>
  <input id="password" name="password" type="password" required>
  <button type="submit" id="sign-in">サインイン (Sign in)</button>
</form>`,
  );
}

/** The form that sets a new password when the directory requires one. */
export function newPasswordPage({ action, login, error }) {
  return layout(
    '新しいパスワード (New password)',
    `<h1>新しいパスワードを設定 <small>(Set a new password)</small></h1>
<p class="sub">初回サインインのため、新しいパスワードを設定してください。(Please choose a new password to finish signing in.)</p>
${error ? `<p class="error" role="alert" id="login-error">${escapeHtml(refusalText(error))}</p>` : ''}
<form method="post" action="${escapeHtml(action)}" autocomplete="off">
  <p>${escapeHtml(login)}</p>
  <label for="new-password">新しいパスワード <small>(New password)</small></label>
  <input id="new-password" name="new_password" type="password" required minlength="8" autofocus>
  <label for="confirm-password">新しいパスワード（確認） <small>(Confirm)</small></label>
  <input id="confirm-password" name="confirm_password" type="password" required minlength="8">
  <button type="submit" id="set-password">設定してサインイン (Set and sign in)</button>
</form>`,
  );
}

/** The authenticator app's code, asked after the password of a user who registered one. */
export function mfaPage({ action, login, error }) {
  return layout(
    '確認コード (Verification code)',
    `<h1>確認コードを入力 <small>(Enter the code)</small></h1>
<p class="sub">認証アプリに表示されている6桁のコードを入力してください。(Enter the 6-digit code from your authenticator app.)</p>
${error ? `<p class="error" role="alert" id="login-error">${escapeHtml(refusalText(error))}</p>` : ''}
<form method="post" action="${escapeHtml(action)}" autocomplete="off">
  <p>${escapeHtml(login)}</p>
  <label for="code">確認コード <small>(Code)</small></label>
  <input id="code" name="code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" required autofocus>
  <button type="submit" id="verify-code">確認 (Verify)</button>
</form>`,
  );
}

/** What a browser sees when a request is refused (a bad client, an expired login, …). */
export function errorPage(title, detail) {
  return layout(
    'エラー (Error)',
    `<h1>サインインできません <small>(Cannot sign in)</small></h1>
<p class="error" role="alert">${escapeHtml(title)}</p>
${detail ? `<p class="sub">${escapeHtml(detail)}</p>` : ''}`,
  );
}
