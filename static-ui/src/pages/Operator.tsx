//! The operator screen: the six regions of the manual on one fixed grid sized for 1366×768.
//! Each region scrolls inside itself, so nothing the operator does moves the layout.

import { useEffect } from 'preact/hooks';
import { t } from '../i18n';
import { CustomerRegion } from '../regions/CustomerRegion';
import { EntryRegion } from '../regions/EntryRegion';
import { HistoryRegion } from '../regions/HistoryRegion';
import { InfoRegion } from '../regions/InfoRegion';
import { OperationMenu } from '../regions/OperationMenu';
import { SearchRegion } from '../regions/SearchRegion';
import { restoreCustomer } from '../state/customer';
import { dirty, resetForm, startEntrySync } from '../state/entry';
import { startHistorySync } from '../state/history';

export function OperatorPage() {
  useEffect(() => {
    document.title = t('app.title');
    const stopHistory = startHistorySync();
    if (!dirty.peek()) resetForm();
    const stopEntry = startEntrySync();
    restoreCustomer();
    return () => {
      stopHistory();
      stopEntry();
    };
  }, []);
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
    </div>
  );
}
