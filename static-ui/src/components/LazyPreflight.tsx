//! The pre-call check's dialog, fetched the first time it is opened (it is seldom used, and the
//! operator screen's first load has a size budget).

import type { ComponentType } from 'preact';
import { signal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { precheckOpen } from '../state/precheck';

const Loaded = signal<ComponentType | null>(null);

export function LazyPreflight() {
  const open = precheckOpen.value;
  useEffect(() => {
    if (open && !Loaded.peek()) {
      import('./Preflight').then((m) => (Loaded.value = m.PreflightDialog)).catch(() => (precheckOpen.value = false));
    }
  }, [open]);
  const Dialog = Loaded.value;
  return Dialog ? <Dialog /> : null;
}
