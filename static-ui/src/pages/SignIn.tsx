//! The sign-in page. Locally (`auth: "dev"`) a person picks one of the seeded users; deployed
//! (`auth: "cognito"`) the Cognito sign-in will take its place.

import { useEffect, useState } from 'preact/hooks';
import { signIn as apiSignIn, users as apiUsers } from '../api/dev';
import { errorText } from '../api/errors';
import type { DevUser } from '../api/types';
import { signIn, signOutReason } from '../auth';
import { config } from '../config';
import { lang, setLang, t } from '../i18n';

export function SignInPage({ onSignedIn }: { onSignedIn: () => void }) {
  const [users, setUsers] = useState<DevUser[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const dev = config.value?.auth !== 'cognito';

  useEffect(() => {
    if (!dev) return;
    apiUsers()
      .then(setUsers)
      .catch((e: unknown) => setError(errorText(e)));
  }, [dev]);

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

  const reason = signOutReason.value;
  return (
    <main class="signin" id="signin">
      <div class="signin-card">
        <div class="signin-head">
          <h1>{t('app.title')}</h1>
          <button type="button" class="link-button" aria-label={t('app.switchLangLabel')} onClick={() => setLang(lang.value === 'ja' ? 'en' : 'ja')}>
            {t('app.switchLang')}
          </button>
        </div>
        <h2>{t('signin.title')}</h2>
        {reason && (
          <p class="banner banner-info" role="status">
            {t(reason === 'expired' ? 'signin.expired' : 'signin.signedOut')}
          </p>
        )}
        {!dev ? (
          <p>{t('signin.cognito')}</p>
        ) : (
          <>
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
          </>
        )}
      </div>
    </main>
  );
}
