//! The sign-in page. Locally (`auth.kind: "dev"`) a person picks one of the seeded users;
//! deployed (`auth.kind: "cognito"`) the browser goes to Cognito's managed login (at once on a
//! first visit; after a sign-out, an expiry or a failed sign-in, with a button under the reason).
//! Also the refusal shown to someone signed in at Cognito with no console group.

import type { ComponentChildren, ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { signIn as apiSignIn, users as apiUsers } from '../api/dev';
import { errorText } from '../api/errors';
import type { DevUser } from '../api/types';
import { authError, beginSignIn, mfaSetup, refusedUser, signIn, signOut, signOutReason } from '../auth';
import { config } from '../config';
import { lang, setLang, t } from '../i18n';

function Card({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <main class="signin" id="signin">
      <div class="signin-card">
        <div class="signin-head">
          <h1>{t('app.title')}</h1>
          <button type="button" class="link-button" aria-label={t('app.switchLangLabel')} onClick={() => setLang(lang.value === 'ja' ? 'en' : 'ja')}>
            {t('app.switchLang')}
          </button>
        </div>
        <h2>{title}</h2>
        {children}
      </div>
    </main>
  );
}

function Reason() {
  const reason = signOutReason.value;
  if (!reason) return null;
  return (
    <p class="banner banner-info" role="status">
      {t(reason === 'expired' ? 'signin.expired' : 'signin.signedOut')}
    </p>
  );
}

/** Cognito's managed login: straight there on a first visit, a button after a reason to stop. */
function CognitoSignIn() {
  const [going, setGoing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const failed = authError.value;
  const go = () => {
    setGoing(true);
    setError(null);
    beginSignIn().catch((e: unknown) => {
      setGoing(false);
      setError(errorText(e));
    });
  };
  useEffect(() => {
    if (!signOutReason.peek() && !authError.peek()) go();
  }, []);
  const problem = error ?? failed;
  return (
    <Card title={t('signin.title')}>
      <Reason />
      {problem && (
        <p class="error-text" role="alert" id="signin-error">
          {t('signin.failed', { detail: problem })}
        </p>
      )}
      <p>{t('signin.cognito')}</p>
      {going && !problem ? (
        <p class="muted">{t('signin.redirecting')}</p>
      ) : (
        <button type="button" id="signin-cognito" onClick={go}>
          {t('signin.cognitoButton')}
        </button>
      )}
    </Card>
  );
}

/**
 * Someone signed in at Cognito whose token names none of the console's groups; or a supervisor or
 * admin whose role waits for an authenticator app, who registers it here.
 */
export function NoGroupPage({ setup }: { setup?: ComponentType | null }) {
  const name = refusedUser.value?.name ?? '';
  if (mfaSetup.value) {
    const Setup = setup;
    return (
      <Card title={t('mfa.title')}>
        <p id="signin-mfa-needed">{t('mfa.needed', { name })}</p>
        {Setup ? <Setup /> : <p class="muted">{t('app.loading')}</p>}
        <button type="button" class="link-button" id="signin-no-group-sign-out" onClick={() => signOut()}>
          {t('app.signOut')}
        </button>
      </Card>
    );
  }
  return (
    <Card title={t('signin.noGroupTitle')}>
      <p role="alert" id="signin-no-group">
        {t('signin.noGroup', { name })}
      </p>
      <button type="button" id="signin-no-group-sign-out" onClick={() => signOut()}>
        {t('app.signOut')}
      </button>
    </Card>
  );
}

export function SignInPage({ onSignedIn }: { onSignedIn: () => void }) {
  if (config.value?.auth.kind === 'cognito') return <CognitoSignIn />;
  return <DevSignIn onSignedIn={onSignedIn} />;
}

/** The local runtime's sign-in: pick a seeded user. */
function DevSignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [users, setUsers] = useState<DevUser[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  useEffect(() => {
    apiUsers()
      .then(setUsers)
      .catch((e: unknown) => setError(errorText(e)));
  }, []);

  const choose = async (u: DevUser) => {
    setBusy(u.id);
    setError(null);
    try {
      const res = await apiSignIn(u.id);
      signIn(res.token, { id: res.user.id, name: res.user.name, role: res.user.role });
      onSignedIn();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Card title={t('signin.title')}>
      <Reason />
      <p>{t('signin.devIntro')}</p>
      {error && (
        <p class="error-text" role="alert">
          {error}
        </p>
      )}
      {!users && !error && <p class="muted">{t('app.loading')}</p>}
      <ul class="user-list">
        {(users ?? []).map((u) => (
          <li key={u.id}>
            <button
              type="button"
              class="user-button"
              data-user={u.id}
              aria-label={t('signin.as', { name: u.name })}
              disabled={busy !== null}
              onClick={() => void choose(u)}
            >
              <span class="user-name">{u.name}</span>
              <span class={`role-badge role-${u.role}`}>{t(`role.${u.role}`)}</span>
              <span class="user-id">{u.id}</span>
            </button>
          </li>
        ))}
      </ul>
    </Card>
  );
}
