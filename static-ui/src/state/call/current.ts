//! The operator's call on this page: the one {@link CallModel}, readable from modules below the
//! call controller (the session keeps itself through a call, the call list follows the calls it
//! dials) without importing the controller and the API behind it. Its effects on the rest of
//! the page are installed by the controller (`state/call.ts`) while the operator screen runs;
//! no transition runs without them.

import { computed } from '@preact/signals';
import { now } from '../clock';
import type { CallEffects } from './effects';
import { CallModel } from './model';

let installed: CallEffects | null = null;

/** The page's call. */
export const call = new CallModel(() => {
  if (!installed) throw new Error('No call controller is running on this page');
  return installed;
});

/** Installs what the call's transitions do to the page; returns the function that removes it. */
export function installCallEffects(effects: CallEffects): () => void {
  installed = effects;
  return () => {
    if (installed === effects) installed = null;
  };
}

/** The current call; `null` when there is none. */
export const activeCall = call.activeCall;

/** Seconds the current call has been connected, or `null` without a connected call. */
export const callSeconds = computed(() => {
  const c = activeCall.value;
  if (!c || c.connectedAt === null) return null;
  return Math.max(0, Math.floor((now.value - c.connectedAt) / 1000));
});
