//! The consultation call (保留中の外線発信) of the operator's call: its dialog, the number typed
//! into it, and where the third party's call is. The customer stays held throughout; the server's
//! live state tells when the third party answers or hangs up ({@link ConsultModel} `followed`),
//! and what the operator just did is trusted over a live state that has not caught up yet.

import { computed, createModel, signal } from '@preact/signals';
import { t } from '../../i18n';
import type { CallEffects } from './effects';
import { readOnly } from './effects';

/** How long the page trusts what an action just did over a live state that lags behind it. */
export const SETTLE_MS = 5000;
/** A consultation call nobody answered is given up after this long (the server rings 45 s). */
export const CONSULT_RING_MS = 50_000;

/** Where the consultation call is. */
export type ConsultState =
  /** No consultation call; `settlingUntil`: one was just hung up, and a live state still showing it before then is stale. */
  | { phase: 'idle'; settlingUntil: number }
  /** Asked for and ringing the third party since `since`. */
  | { phase: 'ringing'; since: number }
  /** The third party answered. */
  | { phase: 'connected' };

const IDLE: ConsultState = { phase: 'idle', settlingUntil: 0 };

/** The consultation call, its dialog and its number; transitions are its only writers. */
export const ConsultModel = createModel((effects: () => CallEffects) => {
  const state = signal<ConsultState>(IDLE);
  const open = signal(false);
  const number = signal('');
  const idle = (settlingUntil = 0) => {
    state.value = settlingUntil ? { phase: 'idle', settlingUntil } : IDLE;
  };
  return {
    state: readOnly(state),
    phase: computed(() => state.value.phase),
    /** Whether the consultation dialog is open. */
    open: readOnly(open),
    /** The number typed (or filled in by a search) in the dialog. */
    number: readOnly(number),

    openDialog() {
      open.value = true;
    },
    closeDialog() {
      open.value = false;
    },
    typeNumber(value: string) {
      number.value = value;
    },
    /** The server accepted the consultation call: it rings. */
    dialed() {
      state.value = { phase: 'ringing', since: effects().now() };
    },
    /** The operator hung the consultation call up (the customer stays held). */
    hungUp() {
      idle(effects().now() + SETTLE_MS);
    },
    /**
     * The call's live state was read: whether a consultation call is in progress on the server
     * and whether the customer is held now. The dialog closes with the hold when nothing rings.
     */
    followed(inProgress: boolean, held: boolean) {
      const fx = effects();
      const now = fx.now();
      const s = state.peek();
      const consulting = inProgress && (s.phase !== 'idle' || now >= s.settlingUntil);
      if (consulting) {
        if (s.phase !== 'connected') state.value = { phase: 'connected' };
      } else if (s.phase === 'connected') {
        idle();
        fx.notice.say('info', t('consult.ended'));
      } else if (s.phase === 'ringing' && now - s.since > CONSULT_RING_MS) {
        idle();
        fx.notice.say('warn', t('consult.noAnswer'));
      } else if (s.phase === 'idle' && !inProgress && s.settlingUntil) {
        idle();
      }
      if (!held && open.peek() && state.peek().phase === 'idle') open.value = false;
    },
    /** The call is over (or the page stops): no consultation, the dialog closed. */
    reset() {
      idle();
      open.value = false;
    },
  };
});

/** One consultation model (the call model owns one). */
export type Consult = InstanceType<typeof ConsultModel>;
