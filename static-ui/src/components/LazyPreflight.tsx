//! The pre-call check's dialog, fetched the first time it is opened (it is seldom used, and the
//! operator screen's first load has a size budget); if it cannot be fetched, the dialog says so
//! with 再試行 (see ./lazy.tsx).

import { precheckOpen } from '../state/precheck';
import { lazyPart } from './lazy';

const part = lazyPart(() => import('./Preflight').then((m) => m.PreflightDialog));

export function LazyPreflight() {
  return <part.Part id="precheck-dialog" open={precheckOpen.value} onClose={() => (precheckOpen.value = false)} />;
}
