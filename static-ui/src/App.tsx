//! The page's root: loads `/config.json` and the sign-in (auth.ts), then either the sign-in page
//! or — once signed in and the settings are loaded — the operator screen (which starts the
//! softphone), or the admin, call list administration (/admin/call-lists), supervisor
//! (/monitor) or reports (/reports) page (each loaded on demand, so the operator screen's bundle stays small). A
//! sign-in that needs renewing by hand shows as a banner over whatever screen is up.

import type { ComponentChildren, ComponentType } from 'preact';
import { signal } from '@preact/signals';
import { useEffect, useState } from 'preact/hooks';
import { errorText } from './api/errors';
import { authProblem, authReady, CALLBACK_PATH, mfaSetup, refusedUser, session, signInAgain, startAuth } from './auth';
import { Dialog } from './components/Dialog';
import { config, loadConfig } from './config';
import { t, withPartTexts } from './i18n';
import { NoGroupPage, SignInPage } from './pages/SignIn';
import { OperatorPage } from './pages/Operator';
import { navigate, path } from './router';
import { startClock } from './state/clock';
import { clearCustomer } from './state/customer';
import { closeDetail } from './state/detail';
import { resetMemo } from './state/memo';
import { liveState } from './live';
import { loadSettings, settings, startSettingsSync } from './state/settings';

const configError = signal<string | null>(null);
const settingsError = signal<string | null>(null);
const AdminPage = signal<ComponentType | null>(null);
const MonitorPage = signal<ComponentType | null>(null);
const CallListsPage = signal<ComponentType | null>(null);
const ReportsPage = signal<ComponentType | null>(null);

function boot(): void {
  configError.value = null;
  loadConfig()
    .then((c) => (authReady.peek() ? undefined : startAuth(c.auth)))
    .catch((e: unknown) => (configError.value = errorText(e)));
}

function fetchSettings(): void {
  settingsError.value = null;
  loadSettings().catch((e: unknown) => (settingsError.value = errorText(e)));
}

function Failure({ text, retry }: { text: string; retry: () => void }) {
  return (
    <main class="boot">
      <p class="error-text" role="alert">
        {t('app.loadFailed', { detail: text })}
      </p>
      <button type="button" onClick={retry}>
        {t('app.retry')}
      </button>
    </main>
  );
}

/**
 * Floats over the middle of the top bar, one line high, so no region moves when it comes or goes
 * and the call controls below stay reachable.
 */
const BANNER_STYLE = {
  position: 'fixed',
  top: '4px',
  left: '50%',
  transform: 'translateX(-50%)',
  zIndex: 1000,
  margin: 0,
  display: 'flex',
  alignItems: 'center',
  gap: '10px',
  whiteSpace: 'nowrap',
  boxShadow: '0 2px 8px rgba(0, 0, 0, 0.25)',
} as const;

/** The sign-in needs renewing by hand: said over the screen, which stays (a call goes on). */
function AuthBanner() {
  const [error, setError] = useState<string | null>(null);
  const problem = authProblem.value;
  if (!problem) return null;
  const again = () => {
    setError(null);
    signInAgain().catch(() => setError(t('auth.popupFailed')));
  };
  return (
    <div class="banner banner-warn" role="alert" id="auth-banner" style={BANNER_STYLE}>
      <span>{t(problem === 'renewal_failed' ? 'auth.renewFailed' : 'auth.expired')}</span>
      {error && <span class="error-text">{error}</span>}
      <button type="button" id="auth-sign-in-again" onClick={again}>
        {t('auth.signInAgain')}
      </button>
    </div>
  );
}

/** Beside the operation menu's empty end, so it covers none of the top bar's controls. */
const MFA_BANNER_STYLE = {
  position: 'fixed',
  top: '50px',
  right: '8px',
  zIndex: 900,
  margin: 0,
  display: 'flex',
  alignItems: 'center',
  gap: '8px',
  whiteSpace: 'nowrap',
  fontSize: '12px',
  padding: '2px 6px',
  boxShadow: '0 1px 4px rgba(0, 0, 0, 0.2)',
} as const;

/** The registration of an authenticator app, loaded only when it is asked for. */
const AuthenticatorSetup = signal<ComponentType | null>(null);
export function loadAuthenticatorSetup(): void {
  if (AuthenticatorSetup.value) return;
  withPartTexts(import('./mfa/AuthenticatorSetup'))
    .then((m) => (AuthenticatorSetup.value = m.AuthenticatorSetup))
    .catch((e: unknown) => (settingsError.value = errorText(e)));
}

/**
 * A supervisor or admin whose role waits for an authenticator app: they work with the role they
 * have meanwhile, and the banner offers the registration.
 */
function MfaBanner() {
  const [open, setOpen] = useState(false);
  if (!mfaSetup.value) return null;
  const Setup = AuthenticatorSetup.value;
  return (
    <>
      <div class="banner banner-info" role="status" id="mfa-banner" style={MFA_BANNER_STYLE}>
        <span title={t('mfa.bannerTitle')}>{t('mfa.banner')}</span>
        <button
          type="button"
          id="mfa-open"
          onClick={() => {
            loadAuthenticatorSetup();
            setOpen(true);
          }}
        >
          {t('mfa.open')}
        </button>
      </div>
      <Dialog open={open} title={t('mfa.title')} onClose={() => setOpen(false)} id="mfa-dialog">
        {Setup ? <Setup /> : <p class="muted">{t('app.loading')}</p>}
      </Dialog>
    </>
  );
}

/** The live channel dropped: the screen still updates, slowly, until it is back. */
function LiveBanner() {
  if (liveState.value !== 'down') return null;
  return (
    <div class="banner banner-warn" role="status" id="live-banner" style={{ ...BANNER_STYLE, top: '40px' }}>
      <span>{t('live.down')}</span>
    </div>
  );
}

function WithBanner({ children }: { children: ComponentChildren }) {
  return (
    <>
      {children}
      <AuthBanner />
      <LiveBanner />
      <MfaBanner />
    </>
  );
}

function Loading() {
  return (
    <main class="boot" aria-busy="true">
      <p class="muted">{t('app.loading')}</p>
    </main>
  );
}

export function App() {
  useEffect(() => {
    boot();
    return startClock();
  }, []);

  const signedIn = !!session.value;
  const current = path.value;

  const ready = authReady.value;
  useEffect(() => {
    if (signedIn && !settings.peek()) fetchSettings();
    // Until the session is read back (a reload), nobody is signed out: the memo and number stay.
    if (!signedIn && ready) {
      // Nothing of the previous user's work stays on screen for the next one.
      settings.value = null;
      clearCustomer();
      closeDetail();
      resetMemo(null);
    }
  }, [signedIn, ready, config.value]);

  useEffect(() => (signedIn ? startSettingsSync() : undefined), [signedIn]);

  // The callback page is left by auth.ts, for the page the sign-in started from: sending it to
  // `/` here as well would race it (a supervisor signing in at /monitor landed on /).
  useEffect(() => {
    if (signedIn && current === '/sign-in') navigate('/', true);
  }, [signedIn, current]);

  useEffect(() => {
    if (current === '/admin' && !AdminPage.value) {
      withPartTexts(import('./admin/AdminPage'))
        .then((m) => (AdminPage.value = m.AdminPage))
        .catch((e: unknown) => (settingsError.value = errorText(e)));
    }
    if (current === '/monitor' && !MonitorPage.value) {
      withPartTexts(import('./monitor/MonitorPage'))
        .then((m) => (MonitorPage.value = m.MonitorPage))
        .catch((e: unknown) => (settingsError.value = errorText(e)));
    }
    if (current === '/reports' && !ReportsPage.value) {
      withPartTexts(import('./reports/ReportsPage'))
        .then((m) => (ReportsPage.value = m.ReportsPage))
        .catch((e: unknown) => (settingsError.value = errorText(e)));
    }
    if (current === '/admin/call-lists' && !CallListsPage.value) {
      withPartTexts(import('./calllists/CallListsPage'))
        .then((m) => (CallListsPage.value = m.CallListsPage))
        .catch((e: unknown) => (settingsError.value = errorText(e)));
    }
  }, [current]);

  if (configError.value) return <Failure text={configError.value} retry={boot} />;
  if (!config.value || !ready) return <Loading />;
  if (refusedUser.value) {
    if (mfaSetup.value) loadAuthenticatorSetup();
    return <NoGroupPage setup={AuthenticatorSetup.value} />;
  }
  if (!signedIn) {
    return (
      <SignInPage
        onSignedIn={() => {
          const next = new URLSearchParams(location.search).get('next');
          navigate(next && next.startsWith('/') ? next : current === '/sign-in' ? '/' : current, true);
        }}
      />
    );
  }
  return <WithBanner>{signedInScreen(current)}</WithBanner>;
}

function signedInScreen(current: string) {
  if (current === '/sign-in' || current === CALLBACK_PATH) return <Loading />;
  if (settingsError.value) return <Failure text={settingsError.value} retry={fetchSettings} />;
  if (!settings.value) return <Loading />;
  if (current === '/monitor') {
    const Monitor = MonitorPage.value;
    return Monitor ? <Monitor /> : <Loading />;
  }
  if (current === '/reports') {
    const Reports = ReportsPage.value;
    return Reports ? <Reports /> : <Loading />;
  }
  if (current === '/admin/call-lists') {
    const Lists = CallListsPage.value;
    return Lists ? <Lists /> : <Loading />;
  }
  if (current === '/admin') {
    const Admin = AdminPage.value;
    return Admin ? <Admin /> : <Loading />;
  }
  return <OperatorPage />;
}
