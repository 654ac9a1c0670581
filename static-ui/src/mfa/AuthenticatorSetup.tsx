//! Registering an authenticator app (TOTP), which the supervisor and admin roles need: the QR code
//! (and the key, for typing it in) from the user pool, a code from the app to check it, then a new
//! sign-in, which asks for the code and gives the role. A lazy chunk: only users asked to register
//! ever load it (with the QR library).

import { useEffect, useState } from 'preact/hooks';
import QRCode from 'qrcode';
import { associateSoftwareToken, CognitoError, preferSoftwareToken, verifySoftwareToken } from '../api/cognito';
import { mfaSetup, signInWithAuthenticator } from '../auth';
import { t } from '../i18n';

type Step = { kind: 'loading' } | { kind: 'scan'; secret: string; qr: string } | { kind: 'done' } | { kind: 'failed'; message: string };

function problem(e: unknown): string {
  if (e instanceof CognitoError && (e.type === 'CodeMismatchException' || e.type === 'EnableSoftwareTokenMFAException')) return t('mfa.wrongCode');
  if (e instanceof CognitoError && e.type === 'NotAuthorizedException') return t('mfa.signInFirst');
  return t('mfa.failed', { detail: e instanceof Error ? e.message : String(e) });
}

/** The registration, as a panel (on the no-role page) or inside a dialog (on the operator screen). */
export function AuthenticatorSetup() {
  const setup = mfaSetup.value;
  const [step, setStep] = useState<Step>({ kind: 'loading' });
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!setup) return;
    let live = true;
    (async () => {
      const { SecretCode } = await associateSoftwareToken(setup.endpoint, setup.accessToken);
      const label = encodeURIComponent(`${t('app.title')}:${setup.account}`);
      const uri = `otpauth://totp/${label}?secret=${SecretCode}&issuer=${encodeURIComponent(t('app.title'))}`;
      const qr = await QRCode.toString(uri, { type: 'svg', margin: 1, width: 180 });
      if (live) setStep({ kind: 'scan', secret: SecretCode, qr });
    })().catch((e: unknown) => live && setStep({ kind: 'failed', message: problem(e) }));
    return () => {
      live = false;
    };
  }, [setup?.accessToken]);

  if (!setup) return null;

  const verify = async (e: Event) => {
    e.preventDefault();
    if (!/^\d{6}$/.test(code)) {
      setError(t('mfa.sixDigits'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await verifySoftwareToken(setup.endpoint, setup.accessToken, code);
      await preferSoftwareToken(setup.endpoint, setup.accessToken);
      setStep({ kind: 'done' });
    } catch (err) {
      setError(problem(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="mfa-setup" id="mfa-setup" aria-label={t('mfa.title')}>
      {step.kind === 'loading' && <p class="muted">{t('app.loading')}</p>}
      {step.kind === 'failed' && (
        <p class="error-text" role="alert">
          {step.message}
        </p>
      )}
      {step.kind === 'scan' && (
        <form onSubmit={(e) => void verify(e)} noValidate>
          <p>{t('mfa.intro')}</p>
          <div class="mfa-qr" id="mfa-qr" role="img" aria-label={t('mfa.qrLabel')} dangerouslySetInnerHTML={{ __html: step.qr }} />
          <p class="muted">
            {t('mfa.keyIntro')} <code id="mfa-secret">{step.secret.replace(/(.{4})/g, '$1 ').trim()}</code>
          </p>
          <label for="mfa-code">{t('mfa.codeLabel')}</label>
          <input
            id="mfa-code"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            value={code}
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={error ? 'mfa-error' : undefined}
            onInput={(e) => setCode((e.target as HTMLInputElement).value.replace(/\D/g, ''))}
          />
          {error && (
            <p class="error-text" role="alert" id="mfa-error">
              {error}
            </p>
          )}
          <button type="submit" id="mfa-verify" disabled={busy}>
            {t('mfa.verify')}
          </button>
        </form>
      )}
      {step.kind === 'done' && (
        <>
          <p role="status" id="mfa-done">
            {t('mfa.done')}
          </p>
          <button type="button" id="mfa-sign-in" onClick={() => void signInWithAuthenticator()}>
            {t('mfa.signInAgain')}
          </button>
        </>
      )}
    </section>
  );
}
