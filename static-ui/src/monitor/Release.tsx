//! The release control of an operator the board shows on a call (通話中 or ringing): after a
//! confirmation the server checks the call with Twilio and, when it has ended although its end
//! never reached the console, puts the operator in wrap-up. A call still connected is not cut:
//! the server refuses and the card says so. Every release is audited on the server.

import { useState } from 'preact/hooks';
import { errorDetail, errorText } from '../api/errors';
import { t } from '../i18n';
import type { BoardOperator } from './api';
import { releaseOperator } from './api';
import { refreshBoard } from './board';

type ReleaseState = { kind: 'busy' | 'info' | 'error'; text: string; detail?: string };

/** Whether the board shows the operator held by a call (talking, or a call ringing for them). */
export function heldByCall(op: BoardOperator): boolean {
  return !!op.current_call || op.status === 'on_call';
}

export function ReleaseControl({ op }: { op: BoardOperator }) {
  const [state, setState] = useState<ReleaseState | null>(null);
  if (!heldByCall(op) && state?.kind !== 'info') return null;

  async function release() {
    if (!confirm(t('monitor.release.confirm', { name: op.name }))) return;
    setState({ kind: 'busy', text: t('monitor.release.checking') });
    try {
      const done = await releaseOperator(op.id);
      const key = done.outcome === 'released' ? 'monitor.release.done' : 'monitor.release.free';
      setState({ kind: 'info', text: t(key, { name: op.name }) });
      refreshBoard();
    } catch (e) {
      setState({ kind: 'error', text: errorText(e), detail: errorDetail(e) });
    }
  }

  return (
    <span class="mon-release">
      {heldByCall(op) && (
        <button
          type="button"
          id={`mon-release-${op.id}`}
          class="small mon-release-btn"
          disabled={state?.kind === 'busy'}
          title={t('monitor.release.hint')}
          onClick={() => void release()}
        >
          {t('monitor.release')}
        </button>
      )}
      {state && (
        <span
          class={`mon-release-state mon-state-${state.kind === 'info' ? 'on' : state.kind === 'busy' ? 'busy' : 'error'}`}
          role="status"
          id={`mon-release-state-${op.id}`}
          title={state.detail ?? state.text}
        >
          {state.text}
        </span>
      )}
    </span>
  );
}
