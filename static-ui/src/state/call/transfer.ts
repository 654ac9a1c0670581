//! A transfer this operator starts on their call (転送): its dialog, the request under way, then
//! the transfer as the server follows it (ringing, answered) until it completes, fails or is
//! called off. The draft inquiry sent with a screen transfer is remembered with it, so that once
//! the call is handed over the draft is not left here to be registered twice.

import { computed, createModel, signal } from '@preact/signals';
import type { Transfer, TransferMode } from '../../api/calls';
import { t } from '../../i18n';
import type { CallEffects } from './effects';
import { readOnly } from './effects';

/** Where my transfer is. */
export type MyTransferState =
  | { phase: 'none' }
  /** Asked for; the server has not answered yet (a blind transfer's leg may leave meanwhile). */
  | { phase: 'asking'; to: { id: string; name: string }; mode: TransferMode; sentDraft: string | null }
  /** Started: the server's record of it, as last read. */
  | { phase: 'started'; transfer: Transfer; sentDraft: string | null };

const NONE: MyTransferState = { phase: 'none' };

function reasonText(reason: string | null | undefined): string {
  switch (reason) {
    case 'no_answer':
    case 'timeout':
    case 'not_rung':
      return t('transfer.reason.noAnswer');
    case 'busy':
      return t('transfer.reason.busy');
    case 'target_left':
      return t('transfer.reason.targetLeft');
    case 'canceled':
      return t('transfer.reason.canceled');
    default:
      return t('transfer.reason.failed');
  }
}

/** My transfer and its dialog; transitions are their only writers. */
export const TransferModel = createModel((effects: () => CallEffects) => {
  const state = signal<MyTransferState>(NONE);
  const open = signal(false);
  const current = computed(() => {
    const s = state.value;
    return s.phase === 'started' ? s.transfer : null;
  });
  return {
    state: readOnly(state),
    /** Whether the transfer dialog is open. */
    open: readOnly(open),
    /** The transfer as the server last showed it, once started. */
    current,
    /** A transfer of mine ringing or answered. */
    transferring: computed(() => {
      const tr = current.value;
      return !!tr && (tr.state === 'ringing' || tr.state === 'answered');
    }),
    /** Whether my leg leaving completes the transfer (a blind one, or a warm one answered). */
    completesWhenILeave: computed(() => {
      const s = state.value;
      if (s.phase === 'asking') return s.mode === 'cold';
      return s.phase === 'started' && (s.transfer.mode === 'cold' || s.transfer.state === 'answered');
    }),
    /** Who the call goes to, when known. */
    recipient: computed(() => {
      const s = state.value;
      return s.phase === 'started' ? s.transfer.to_name : s.phase === 'asking' ? s.to.name : null;
    }),
    /** The draft inquiry (JSON) that went with the screen transfer. */
    sentDraft: computed(() => {
      const s = state.value;
      return s.phase === 'none' ? null : s.sentDraft;
    }),

    openDialog() {
      open.value = true;
    },
    closeDialog() {
      open.value = false;
    },
    /** The transfer is asked of the server (with the draft inquiry of the screen transfer). */
    asked(to: { id: string; name: string }, mode: TransferMode, sentDraft: string | null) {
      state.value = { phase: 'asking', to, mode, sentDraft };
    },
    /** The server refused the transfer: nothing changed. */
    askFailed() {
      if (state.peek().phase === 'asking') state.value = NONE;
    },
    /** The server started the transfer: the target's phone rings. */
    started(transfer: Transfer) {
      const s = state.peek();
      state.value = { phase: 'started', transfer, sentDraft: s.phase === 'asking' ? s.sentDraft : null };
      const name = transfer.to_name;
      effects().notice.say('info', transfer.mode === 'warm' ? t('transfer.ringingWarm', { name }) : t('transfer.ringingCold', { name }));
    },
    /** The call's live state shows a transfer: mine answered, failed, was called off, or completed. */
    followed(shown: Transfer | null | undefined) {
      const s = state.peek();
      if (s.phase !== 'started' || !shown || shown.id !== s.transfer.id) return;
      const notice = effects().notice;
      if (shown.state === 'answered' && s.transfer.state === 'ringing') notice.say('info', t('transfer.answered', { name: shown.to_name }));
      if (shown.state === 'failed' || shown.state === 'canceled') {
        state.value = NONE;
        if (shown.state === 'canceled') notice.say('info', t('transfer.canceled'));
        else notice.say('warn', t('transfer.failed', { name: shown.to_name, reason: reasonText(shown.reason) }));
      } else {
        state.value = { ...s, transfer: shown };
      }
    },
    /** The operator called the transfer off; the customer stays held with them. */
    canceled() {
      state.value = NONE;
      effects().notice.say('info', t('transfer.canceled'));
    },
    /** The call is over (or the page stops). */
    reset() {
      state.value = NONE;
      open.value = false;
    },
  };
});

/** One transfer model (the call model owns one). */
export type MyTransfer = InstanceType<typeof TransferModel>;
