//! The operator's tools in the information bar: 手上げ (raise a hand for a supervisor), the
//! pre-call check's state (通話前チェック), and the shortcut list (?).

import { useEffect, useState } from 'preact/hooks';
import './agent.css';
import { errorText } from '../api/errors';
import { clockTime } from '../format';
import { t } from '../i18n';
import { handRaisedAt, startHandSync, toggleHand } from '../state/hand';
import { say } from '../state/notice';
import { helpOpen } from '../state/shortcuts';
import { precheck, precheckOpen } from '../state/precheck';

/** A raised flag: the hand's mark (the page has no emoji font to rely on). */
export function HandIcon() {
  return (
    <svg viewBox="0 0 16 16" width="13" height="13" aria-hidden="true" class="hand-icon">
      <path d="M3.5 1.5v13" stroke="currentColor" stroke-width="1.6" fill="none" stroke-linecap="round" />
      <path d="M4.3 2.2h8.2l-2.1 3 2.1 3H4.3z" fill="currentColor" />
    </svg>
  );
}

function HandButton() {
  const [busy, setBusy] = useState(false);
  const raisedAt = handRaisedAt.value;
  const since = raisedAt ? new Date(raisedAt) : null;
  return (
    <button
      type="button"
      id="hand-raise"
      class={`icon-text-button hand-button ${raisedAt ? 'pressed hand-up' : ''}`}
      aria-pressed={!!raisedAt}
      disabled={busy}
      title={since ? t('hand.raisedTitle', { time: clockTime(since) }) : t('hand.raiseTitle')}
      onClick={() => {
        setBusy(true);
        toggleHand()
          .then((raised) => say('info', raised ? t('hand.raised') : t('hand.lowered')))
          .catch((e: unknown) => say('error', errorText(e)))
          .finally(() => setBusy(false));
      }}
    >
      <HandIcon /> {raisedAt ? t('hand.lower') : t('hand.raise')}
    </button>
  );
}

export function AgentTools() {
  useEffect(() => startHandSync(), []);
  const checked = precheck.value;
  return (
    <div class="info-item agent-tools">
      <HandButton />
      <button
        type="button"
        id="info-precheck"
        class={`small precheck-chip ${checked === 'ok' ? 'ok' : 'warn'}`}
        title={t('check.open')}
        onClick={() => (precheckOpen.value = true)}
      >
        {checked === 'ok' ? t('check.okChip') : checked === 'warn' ? t('check.warnChip') : t('check.needed')}
      </button>
      <button
        type="button"
        id="info-shortcuts"
        class="small icon-text-button"
        title={t('keys.open')}
        aria-label={t('keys.open')}
        onClick={() => (helpOpen.value = true)}
      >
        ?
      </button>
    </div>
  );
}
