//! The live transcript panel and a past call's transcript, fetched on demand with their words
//! (the operator screen's first load has a size budget): only on a centre where some line
//! transcribes its calls, so elsewhere nothing is fetched or shown.

import type { ComponentType } from 'preact';
import { signal } from '@preact/signals';
import type * as TranscriptPart from '../regions/TranscriptPanel';
import { withPartTexts } from '../i18n';
import { transcribing } from '../state/transcript';

type Part = typeof TranscriptPart;

const loaded = signal<Part | null>(null);
let pending: Promise<void> | null = null;

function load(): void {
  if (loaded.peek() || pending) return;
  pending = withPartTexts(import('../regions/TranscriptPanel'))
    .then((m) => {
      loaded.value = m;
    })
    .catch(() => {
      // Tried again the next time a transcript is to be shown.
      pending = null;
    });
}

/** Beside the memo, on a centre where some line transcribes: always there (empty between calls),
 * so a call coming in moves nothing on the screen. */
export function LazyTranscript() {
  if (!transcribing.value) return null;
  const m = loaded.value;
  if (!m) {
    load();
    return null;
  }
  const Panel: ComponentType = m.TranscriptPanel;
  return <Panel />;
}

/** In a past call's detail (対応履歴). */
export function LazyCallTranscript({ sid }: { sid: string }) {
  if (!transcribing.value) return null;
  const m = loaded.value;
  if (!m) {
    load();
    return null;
  }
  return <m.CallTranscript sid={sid} />;
}
