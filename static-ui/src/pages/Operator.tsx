//! The operator screen: the six regions of the manual on one fixed grid sized for 1366×768.
//! Each region scrolls inside itself, so nothing the operator does moves the layout. The
//! softphone lives as long as this screen: started here, driven by state/call.ts; the call
//! dialogs float above the grid, and in local mode the simulator panel sits in a corner.

import type { ComponentType } from 'preact';
import { signal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { errorText } from '../api/errors';
import { config } from '../config';
import { CallDialogsPart, CallListPart, preloadCallDialogs, preloadDialogs } from '../components/LazyDialogs';
import { LazyPreflight } from '../components/LazyPreflight';
import { LazyTasks } from '../components/LazyTasks';
import { Shortcuts } from '../components/Shortcuts';
import { IncomingDialog } from '../dialogs/IncomingDialog';
import { t, withPartTexts } from '../i18n';
import { startPhone } from '../phone';
import { CustomerRegion } from '../regions/CustomerRegion';
import { EntryRegion } from '../regions/EntryRegion';
import { HistoryRegion } from '../regions/HistoryRegion';
import { InfoRegion } from '../regions/InfoRegion';
import { OperationMenu } from '../regions/OperationMenu';
import { SearchRegion } from '../regions/SearchRegion';
import { startCallControl } from '../state/call';
import { keepUnsavedMemos } from '../state/call/page';
import { startCallListMenu } from '../state/callList';
import { restoreCustomer } from '../state/customer';
import { dirty, resetForm, startEntrySync } from '../state/entry';
import { startHistorySync } from '../state/history';
import { startTranscriptSync } from '../state/transcript';
import { say } from '../state/notice';
import { installPhone, removePhone } from '../state/phone';
import { startPresenceSync } from '../state/presence';
import { startTasks } from '../state/tasks';
import { startWrapUpGuard } from '../state/wrapUp';

const SimulatorPanel = signal<ComponentType | null>(null);

/** Starts the softphone and what drives it; returns the stop function. */
function startCalls(): () => void {
  const cfg = config.peek();
  let stopControl: (() => void) | null = null;
  let stopped = false;
  if (cfg) {
    startPhone(cfg)
      .then((p) => {
        if (!p) return;
        if (stopped) {
          p.destroy();
          return;
        }
        installPhone(p);
        stopControl = startCallControl(p);
      })
      .catch((e: unknown) => say('error', t('phone.startFailed', { detail: errorText(e) })));
    if (cfg.phone.kind === 'simulator' && !SimulatorPanel.peek()) {
      withPartTexts(import('../phone/SimulatorPanel'))
        .then((m) => (SimulatorPanel.value = m.SimulatorPanel))
        .catch(() => undefined);
    }
  }
  const stopPresence = startPresenceSync();
  const stopWrapUpGuard = startWrapUpGuard();
  const stopCallList = startCallListMenu();
  const stopTasks = startTasks();
  const stopKeeping = keepUnsavedMemos();
  return () => {
    stopped = true;
    stopControl?.();
    stopKeeping();
    stopWrapUpGuard();
    stopPresence();
    stopCallList();
    stopTasks();
    removePhone();
  };
}

export function OperatorPage() {
  useEffect(() => {
    document.title = t('app.title');
    const stopHistory = startHistorySync();
    const stopTranscript = startTranscriptSync();
    if (!dirty.peek()) resetForm();
    const stopEntry = startEntrySync();
    restoreCustomer();
    const stopCalls = startCalls();
    const stopPreloadCall = preloadCallDialogs();
    const stopPreload = preloadDialogs();
    return () => {
      stopPreloadCall();
      stopPreload();
      stopHistory();
      stopTranscript();
      stopEntry();
      stopCalls();
    };
  }, []);
  const Sim = SimulatorPanel.value;
  return (
    <div class="operator" id="operator">
      <h1 class="sr-only">{t('app.title')}</h1>
      <InfoRegion />
      <OperationMenu />
      <main class="workspace">
        <CustomerRegion />
        <div class="middle">
          <HistoryRegion />
          <SearchRegion />
        </div>
        <EntryRegion />
      </main>
      <IncomingDialog />
      <CallDialogsPart />
      <CallListPart />
      <LazyTasks />
      <LazyPreflight />
      <Shortcuts />
      {Sim && config.value?.phone.kind === 'simulator' && <Sim />}
    </div>
  );
}
