//! Where the call is, in the operation menu: the phone's state while idle, then ringing /
//! dialing / connected to … / on hold / handing over, with the buttons that belong to that
//! moment (rejoin, call off a transfer, the consultation dialog, mute). One fixed-width slot.

import { errorText } from '../api/errors';
import { t } from '../i18n';
import {
  activeCall,
  cancelTransfer,
  consultOpen,
  consultPhase,
  live,
  muted,
  myTransfer,
  needsRejoin,
  openConsult,
  partyName,
  recording,
  rejoinCall,
  toggleMute,
  toggleRecording,
  transferring,
  working,
} from '../state/call';
import { openCallLists, worked } from '../state/callList';
import { say } from '../state/notice';
import { phone, phoneState } from '../state/phone';
import { presence, presenceLabel } from '../state/presence';
import { endWrapUp, extendWrapUp, whyStayInWrapUp, wrapUpEndsIn, wrapUpLeft } from '../state/wrapUp';
import { Keypad } from './Keypad';

function act(fn: () => void | Promise<void>) {
  return async () => {
    try {
      await fn();
    } catch (e) {
      say('error', errorText(e));
    }
  };
}

/** m:ss of a number of seconds. */
function clockDuration(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** 延長 and 後処理終了, beside the countdown; ending says why it must wait when it must. */
function WrapUpButtons() {
  const why = whyStayInWrapUp.value;
  return (
    <>
      <button type="button" class="small" id="wrapup-extend" title={t('status.wrapUpExtendHint')} onClick={act(extendWrapUp)}>
        {t('status.wrapUpExtend')}
      </button>
      <button
        type="button"
        class="small primary"
        id="wrapup-end"
        disabled={why !== null}
        title={why ?? t('status.wrapUpEndHint', { status: wrapUpEndsIn.value })}
        aria-describedby={why ? 'wrapup-why' : undefined}
        onClick={act(endWrapUp)}
      >
        {t('status.wrapUpEnd')}
      </button>
      {why && (
        <span id="wrapup-why" class="wrapup-why" title={why}>
          {t('wrapUp.statusRequiredShort')}
        </span>
      )}
    </>
  );
}

export function CallStatus() {
  const c = activeCall.value;
  const state = phoneState.value;
  let badge: string;
  let kind: string;
  let text: string;
  const status = presence.value;
  if (!c) {
    kind = state === 'registered' ? 'idle' : state === 'lost' ? 'lost' : 'off';
    badge = state === 'registered' ? t('status.ready') : state === 'lost' ? t('status.lost') : phone.value ? t('status.connecting') : t('status.noPhone');
    text = '';
    if (state === 'registered') {
      // The bar says what the status means for calls: only 受付可 waits for them.
      if (status === 'available') {
        text = t('status.waiting');
      } else if (status === 'wrap_up') {
        badge = presenceLabel(status);
        const left = wrapUpLeft.value;
        text =
          left === null
            ? t('status.wrapUpNoClock', { status: wrapUpEndsIn.value })
            : t('status.wrapUp', { left: clockDuration(left), status: wrapUpEndsIn.value });
      } else {
        badge = presenceLabel(status);
        text = status === 'offline' ? t('status.offlineCanDial') : t('status.canDial');
      }
    }
    const w = worked.value;
    if (w) {
      kind = 'list';
      badge = t('callList.badge');
      text = `${w.lease.target.name}（${w.lease.target.phone_display}）`;
    }
  } else {
    kind = c.phase;
    const party = partyName.value;
    const tr = myTransfer.value;
    switch (c.phase) {
      case 'ringing':
        badge = c.kind === 'transfer' ? t('status.transferRinging') : t('status.ringing');
        text = party;
        break;
      case 'dialing':
        badge = t('status.dialing');
        text = party;
        break;
      case 'consulting':
        badge = t('status.handover');
        text = t('status.handoverWith', { name: c.transferFrom?.name ?? '' });
        break;
      case 'held':
        badge = t('status.held');
        text = party;
        break;
      default:
        badge = t('status.connected');
        text = t('status.connectedTo', { party });
    }
    if (tr && transferring.value) {
      kind = 'transfer';
      badge = t('status.transferring');
      text = tr.state === 'answered' ? t('status.transferAnswered', { name: tr.to_name }) : t('status.transferRingingTo', { name: tr.to_name });
    } else if (consultPhase.value !== 'idle') {
      text = `${party} / ${consultPhase.value === 'ringing' ? t('status.consultRinging') : t('status.consultConnected')}`;
    } else if (live.value?.reconnecting) {
      text = `${party} / ${t('status.reconnecting')}`;
    }
  }
  const tr = myTransfer.value;
  return (
    <div id="call-status" class={`call-status call-${kind}`} data-phase={c?.phase ?? 'idle'}>
      <span class="call-badge" id="call-badge">
        {badge}
      </span>
      <span class="call-text" id="call-text" role="status" title={text}>
        {text}
      </span>
      <span class="call-actions">
        {!c && status === 'wrap_up' && state === 'registered' && !worked.value && <WrapUpButtons />}
        {!c && worked.value && (
          <button type="button" class="small" id="calllist-result-open" onClick={openCallLists}>
            {t('callList.result')}
          </button>
        )}
        {c && needsRejoin.value && (
          <button type="button" class="small primary" id="call-rejoin" disabled={working.value} onClick={act(rejoinCall)}>
            {t('status.rejoin')}
          </button>
        )}
        {c && tr && transferring.value && tr.mode === 'warm' && (
          <button type="button" class="small" id="transfer-cancel" disabled={working.value} onClick={act(cancelTransfer)}>
            {t('status.cancelTransfer')}
          </button>
        )}
        {c?.phase === 'held' && !transferring.value && !consultOpen.value && (
          <button type="button" class="small" id="consult-open" onClick={() => openConsult()}>
            {t('status.openConsult')}
          </button>
        )}
        {recording.value && (
          <button
            type="button"
            class={`small recording-${recording.value}`}
            id="call-recording"
            aria-pressed={recording.value === 'paused'}
            title={recording.value === 'on' ? t('status.recordingPauseHint') : t('status.recordingResumeHint')}
            disabled={working.value}
            onClick={act(toggleRecording)}
          >
            {recording.value === 'on' ? t('status.recording') : t('status.recordingPaused')}
          </button>
        )}
        {c?.leg && (c.phase === 'connected' || c.phase === 'dialing') && <Keypad />}
        {c?.leg && c.phase !== 'ringing' && c.phase !== 'dialing' && (
          <button
            type="button"
            class={`small ${muted.value ? 'pressed' : ''}`}
            id="call-mute"
            aria-pressed={muted.value}
            onClick={act(toggleMute)}
          >
            {muted.value ? t('status.unmute') : t('status.mute')}
          </button>
        )}
      </span>
    </div>
  );
}
