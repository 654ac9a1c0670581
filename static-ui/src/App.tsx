//! The page's root: loads `/config.json`, then either the sign-in page or — once signed in and
//! the settings are loaded — the operator screen (which starts the softphone), or the admin, call
//! list administration (/admin/call-lists) or supervisor (/monitor) page (each loaded on demand,
//! so the operator screen's bundle stays small).

import type { ComponentType } from 'preact';
import { signal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { errorText } from './api/errors';
import { session } from './auth';
import { config, loadConfig } from './config';
import { t } from './i18n';
import { SignInPage } from './pages/SignIn';
import { OperatorPage } from './pages/Operator';
import { navigate, path } from './router';
import { startClock } from './state/clock';
import { clearCustomer } from './state/customer';
import { closeDetail } from './state/detail';
import { resetMemo } from './state/memo';
import { loadSettings, settings } from './state/settings';

const configError = signal<string | null>(null);
const settingsError = signal<string | null>(null);
const AdminPage = signal<ComponentType | null>(null);
const MonitorPage = signal<ComponentType | null>(null);
const CallListsPage = signal<ComponentType | null>(null);

function boot(): void {
  configError.value = null;
  loadConfig().catch((e: unknown) => (configError.value = errorText(e)));
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

  useEffect(() => {
    if (signedIn && !settings.peek()) fetchSettings();
    if (!signedIn) {
      // Nothing of the previous user's work stays on screen for the next one.
      settings.value = null;
      clearCustomer();
      closeDetail();
      resetMemo(null);
    }
  }, [signedIn, config.value]);

  useEffect(() => {
    if (signedIn && current === '/sign-in') navigate('/', true);
  }, [signedIn, current]);

  useEffect(() => {
    if (current === '/admin' && !AdminPage.value) {
      import('./admin/AdminPage')
        .then((m) => (AdminPage.value = m.AdminPage))
        .catch((e: unknown) => (settingsError.value = errorText(e)));
    }
    if (current === '/monitor' && !MonitorPage.value) {
      import('./monitor/MonitorPage')
        .then((m) => (MonitorPage.value = m.MonitorPage))
        .catch((e: unknown) => (settingsError.value = errorText(e)));
    }
    if (current === '/admin/call-lists' && !CallListsPage.value) {
      import('./calllists/CallListsPage')
        .then((m) => (CallListsPage.value = m.CallListsPage))
        .catch((e: unknown) => (settingsError.value = errorText(e)));
    }
  }, [current]);

  if (configError.value) return <Failure text={configError.value} retry={boot} />;
  if (!config.value) return <Loading />;
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
  if (current === '/sign-in') return <Loading />;
  if (settingsError.value) return <Failure text={settingsError.value} retry={fetchSettings} />;
  if (!settings.value) return <Loading />;
  if (current === '/monitor') {
    const Monitor = MonitorPage.value;
    return Monitor ? <Monitor /> : <Loading />;
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
