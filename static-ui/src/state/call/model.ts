//! The operator's call as explicit state: idle, or a call that is ringing, dialing, or talking
//! (connected, held, or a warm transfer's handover), with its consultation call (`consult.ts`)
//! and the transfer the operator started (`transfer.ts`). Every change goes through a named
//! transition of {@link CallModel}; the phone-event handler and the live-state follower
//! (`state/call.ts`) only call transitions. A transition changes this state and says what else
//! follows through {@link CallEffects} (the customer pop-up, the memo, Data entry, presence,
//! history, the notice, the softphone's legs, following the live state); it never awaits, so
//! the controller does the network requests and reports their outcome as transitions.
//!
//! A transition the state does not allow (holding a ringing call, say) throws
//! {@link CallRefused} with the reason the operation menu shows for it.

import { computed, createModel, effect, signal } from '@preact/signals';
import type { Handoff, LiveCall, Transfer, TransferMode } from '../../api/calls';
import { nationalPhone } from '../../format';
import { t } from '../../i18n';
import { ConsultModel, SETTLE_MS } from './consult';
import type { CallEffects } from './effects';
import { isEnded, joined, readOnly } from './effects';
import { TransferModel } from './transfer';

/** Why a call rings or is on this page. */
export type CallKind = 'call' | 'transfer' | 'rejoin';

/** Who hands a transfer to me, how, and the screen transfer's id. */
export interface TransferFrom {
  name: string;
  id: string;
  mode: TransferMode;
  handoffId: string | null;
}

/** What the page knows of a call it handles, whatever its phase. */
interface CallFacts {
  /** The customer's CallSid (the conference name, the id in every `/api/calls/{id}`), once known. */
  sid: string | null;
  /** This phone's leg of it (`null` after a reload or a dropped leg, until rejoined). */
  leg: string | null;
  direction: 'inbound' | 'outbound';
  kind: CallKind;
  /** The customer's number (E.164 or as dialled). */
  customer: string;
  /** When the customer and operator were connected (ms since the epoch). */
  connectedAt: number | null;
  /** A transfer ringing or handed to me. */
  transferFrom?: TransferFrom;
  /** Why the server rang me back into my own call (`transfer_failed`, `reconnect`). */
  ringBack?: string;
  /** A transfer's screen transfer: being loaded, loaded, or none (none sent, or it did not load). */
  handoff?: Handoff | 'loading' | null;
  /** This phone's leg is up (accepted and not gone). */
  legUp: boolean;
  /** What the platform said on the leg (why a dial was refused). */
  heard: string | null;
  /** The server has shown this operator as the call's operator (or as the transfer's target). */
  confirmed: boolean;
  /** The operator asked to hang up: the leg ending is expected. */
  hangingUp: boolean;
  /** The operator asked to rejoin: the ring that brings the phone back is answered at once. */
  awaitingRejoin: boolean;
  /** The hold state just asked for, trusted over a live state that lags behind until `until`. */
  expectHeld: { held: boolean; until: number } | null;
}

/** Ringing on this phone: a call offered, a transfer, or the server ringing me back into my call. */
export interface Ringing extends CallFacts {
  phase: 'ringing';
  leg: string;
}

/** Placed by this phone (or adopted before the customer answered): not answered yet. */
export interface Dialing extends CallFacts {
  phase: 'dialing';
}

/**
 * Talking with the customer (`connected`), the customer on hold (`held`), or a warm transfer's
 * target talking with the first operator before the call is theirs (`consulting`).
 */
export interface Talking extends CallFacts {
  phase: 'connected' | 'held' | 'consulting';
  connectedAt: number;
}

/** The call the operator is handling. */
export type ActiveCall = Ringing | Dialing | Talking;

/** Where a call is. */
export type CallPhase = ActiveCall['phase'];

/** The operator's call: none, or one in a phase. */
export type CallState = { phase: 'idle' } | ActiveCall;

/** How the operator's part in a call ended. */
export type EndHow = 'ended' | 'transferred' | 'missed' | 'rejected' | 'refused' | 'failed' | 'left';

/** What the controller does after a ring. */
export type RingNext = { then: 'nothing' } | { then: 'answer' } | { then: 'loadHandoff'; handoffId: string };

/** A transition the call's state does not allow; the message says why. */
export class CallRefused extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'CallRefused';
  }
}

const IDLE: CallState = { phase: 'idle' };

/** The bookkeeping of a call the page just started to handle. */
const FRESH = {
  legUp: false,
  heard: null,
  confirmed: false,
  hangingUp: false,
  awaitingRejoin: false,
  expectHeld: null,
} satisfies Partial<CallFacts>;

/** Why the customer cannot be held or taken off hold now, or `null`. */
export function holdRefusal(c: ActiveCall | null, transferring: boolean): string | null {
  if (!c) return t('call.noCall');
  if (c.kind === 'transfer') return t('call.transferPending');
  if (!c.sid || (c.phase !== 'connected' && c.phase !== 'held')) return t('call.notConnected');
  if (c.phase === 'held' && transferring) return t('transfer.inProgress');
  return null;
}

/** Why the call cannot be transferred now, or `null`. */
export function transferRefusal(c: ActiveCall | null, transferring: boolean, consulting: boolean): string | null {
  if (!c) return t('call.noCall');
  if (c.kind === 'transfer') return t('call.transferPending');
  if (!c.sid || (c.phase !== 'connected' && c.phase !== 'held')) return t('call.notConnected');
  if (transferring) return t('transfer.inProgress');
  if (consulting) return t('transfer.consultFirst');
  return null;
}

const handoffOf = (c: ActiveCall): Handoff | null => (c.handoff && c.handoff !== 'loading' ? c.handoff : null);

function sameCall(a: ActiveCall, b: ActiveCall): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as (keyof ActiveCall)[]);
  for (const k of keys) if (a[k] !== b[k]) return false;
  return true;
}

/**
 * The operator's call with its consultation and transfer. `effects` gives what the transitions
 * do to the rest of the page (asked for when a transition runs, so the page can install it
 * after the model exists).
 */
export const CallModel = createModel((effects: () => CallEffects) => {
  const state = signal<CallState>(IDLE);
  /** The last live state of the current call. */
  const live = signal<LiveCall | null>(null);
  const muted = signal(false);
  const working = signal(false);
  const consult = new ConsultModel(effects);
  const transfer = new TransferModel(effects);

  const activeCall = computed<ActiveCall | null>(() => {
    const s = state.value;
    return s.phase === 'idle' ? null : s;
  });
  const myLegJoined = computed(() => {
    const l = live.value;
    return !!l && joined(l, l.operator_label ?? 'operator');
  });
  const needsRejoin = computed(() => {
    const c = activeCall.value;
    const l = live.value;
    return !!c && c.leg === null && c.phase !== 'ringing' && !!l && l.call.sid === c.sid && !myLegJoined.value;
  });
  const whyNoHold = computed(() => holdRefusal(activeCall.value, transfer.transferring.value));
  const whyNoTransfer = computed(() => transferRefusal(activeCall.value, transfer.transferring.value, consult.phase.value !== 'idle'));

  /** The current call if it is still the one `c` was (same customer call, same leg). */
  const still = (c: { sid: string | null; leg: string | null }): ActiveCall | null => {
    const cur = activeCall.peek();
    return cur && cur.sid === c.sid && cur.leg === c.leg ? cur : null;
  };

  /** The operator's part in the call is over. */
  function end(c: ActiveCall, how: EndHow): void {
    const cur = still(c);
    if (!cur) return;
    const fx = effects();
    const recipient = transfer.recipient.peek();
    const sentDraft = transfer.sentDraft.peek();
    if (cur.leg && cur.legUp) fx.phone.drop(cur.leg);
    state.value = IDLE;
    live.value = null;
    muted.value = false;
    transfer.reset();
    consult.reset();
    fx.live.unfollow();
    switch (how) {
      case 'ended':
        fx.notice.say('info', t('call.ended', { party: cur.customer ? nationalPhone(cur.customer) : '' }));
        break;
      case 'transferred':
        fx.notice.say('ok', recipient ? t('transfer.done', { name: recipient }) : t('transfer.doneUnknown'));
        fx.memo.release();
        fx.entry.handedOver(sentDraft);
        break;
      case 'missed':
        fx.notice.say('info', cur.kind === 'transfer' ? t('transfer.missed') : t('call.missed'));
        break;
      case 'rejected':
        fx.notice.say('info', t('call.rejected'));
        break;
      case 'refused':
        fx.notice.say('warn', t('call.refused', { text: cur.heard ?? '' }));
        break;
      case 'failed':
        // The Twilio phone hears the platform's reason rather than reading it: the one reason
        // the page can know is said in writing too.
        fx.notice.say('warn', fx.presence.available() ? t('call.refused', { text: t('call.refusedAvailable') }) : t('call.dialFailed'));
        break;
      case 'left':
        fx.notice.say('info', t('transfer.left', { name: cur.transferFrom?.name ?? '' }));
        fx.memo.release();
        break;
    }
    fx.presence.changed();
    // The call appears (or changes) in the history.
    if (cur.sid) fx.history.changed(300);
  }

  /** An answered call is this operator's to handle now (a transfer's, once its screen is in). */
  function arrive(c: ActiveCall): void {
    const fx = effects();
    const h = handoffOf(c);
    if (c.kind === 'transfer' && h) fx.entry.screenArrived(h, c.transferFrom?.name ?? '');
    if (c.kind === 'rejoin') fx.notice.say('ok', t('call.rejoined'));
    if (!c.sid) {
      fx.presence.changed();
      return;
    }
    fx.customer.link(c.sid);
    fx.live.follow(c.sid);
    fx.presence.changed();
    fx.memo.start(c.sid, c.kind === 'transfer' ? 'transferTarget' : c.kind === 'rejoin' ? 'rejoined' : 'answered', h?.screen ?? null);
  }

  /** The screen transfer of the ringing (or answered) transfer is known: loaded, or not to be had. */
  function handoffSettled(leg: string, h: Handoff | null, failure: string | null): void {
    const c = activeCall.peek();
    if (!c || c.leg !== leg || c.handoff !== 'loading') return;
    const fx = effects();
    const next: ActiveCall = { ...c, handoff: h };
    state.value = next;
    if (failure !== null) fx.notice.say('warn', t('transfer.handoffFailed', { detail: failure }));
    fx.customer.popUp(c.customer, c.sid, {
      ...(h?.screen.account_id ? { account: h.screen.account_id } : {}),
      ...(h?.screen.contact_id ? { contact: h.screen.contact_id } : {}),
    });
    if (next.phase !== 'ringing') arrive(next);
  }

  // The operator's leg is out of a call that goes on: say how to get back.
  effect(() => {
    if (needsRejoin.value) effects().notice.say('warn', t('call.needRejoin'));
  });

  return {
    state: readOnly(state),
    live: readOnly(live),
    muted: readOnly(muted),
    /** An action under way (the buttons wait for it). */
    working: readOnly(working),
    consult,
    transfer,
    /** The current call; `null` when there is none. */
    activeCall,
    /** Whether this operator's own leg is in the call now. */
    myLegJoined,
    /** The call goes on without this page's phone in it (after a reload or a dropped leg). */
    needsRejoin,
    /** Whether the call is being recorded now, paused, or not at all. */
    recording: computed<'on' | 'paused' | null>(() => {
      const l = live.value;
      const c = activeCall.value;
      if (!l || !c || l.call.sid !== c.sid || l.call.recording_status !== 'in-progress') return null;
      return l.call.recording_paused ? 'paused' : 'on';
    }),
    /** The screen transfer of the ringing (or answered) transfer, once loaded. */
    handoff: computed(() => {
      const c = activeCall.value;
      return c ? handoffOf(c) : null;
    }),
    /** Why 保留 / 保留解除 cannot be used now, or `null`. */
    whyNoHold,
    /** Why 転送 cannot be used now, or `null`. */
    whyNoTransfer,

    // The phone's events ------------------------------------------------------------------------

    /**
     * A call rings this phone. Busy with another call, the ring is declined (the server offers it
     * to someone else) unless it is the server ringing me back into my own call.
     */
    ring(leg: string, from: string, params: Record<string, string>): RingNext {
      // A supervisor's monitoring ring belongs to the monitor page, which answers it; declining
      // it here would end it there too.
      if (params.monitor) return { then: 'nothing' };
      const fx = effects();
      const sid = params.callSid || null;
      const c = activeCall.peek();
      const rejoin = params.rejoin === 'true';
      const ownCallBack = rejoin && !!c && c.sid === sid && c.leg === null;
      if (c && !ownCallBack) {
        fx.phone.decline(leg);
        return { then: 'nothing' };
      }
      const customer = params.customer || from;
      const connectedAt = c?.connectedAt ?? null;
      const base = { ...FRESH, sid, leg, customer, phase: 'ringing' as const, connectedAt, confirmed: !!c?.confirmed };
      let next: Ringing;
      if (rejoin) {
        next = { ...base, direction: c?.direction ?? 'inbound', kind: 'rejoin', ...(params.ringBack ? { ringBack: params.ringBack } : {}) };
      } else if (params.transferId) {
        const handoffId = params.handoffId || null;
        next = {
          ...base,
          direction: 'inbound',
          kind: 'transfer',
          transferFrom: {
            name: params.fromOperator ?? '',
            id: params.transferId,
            mode: params.mode === 'cold' ? 'cold' : 'warm',
            handoffId,
          },
          handoff: handoffId ? 'loading' : null,
        };
      } else {
        next = { ...base, direction: 'inbound', kind: 'call' };
      }
      state.value = next;
      fx.notice.clear();
      if (rejoin && c?.awaitingRejoin) return { then: 'answer' };
      if (next.transferFrom?.handoffId) return { then: 'loadHandoff', handoffId: next.transferFrom.handoffId };
      if (!(rejoin && fx.customer.shows(customer))) fx.customer.popUp(customer, sid);
      return { then: 'nothing' };
    },
    /** The ringing transfer's screen transfer loaded: the customer pops up as the sender chose. */
    handoffLoaded(leg: string, h: Handoff) {
      handoffSettled(leg, h, null);
    },
    /** The ringing transfer's screen transfer could not be loaded: the caller pops up by number. */
    handoffFailed(leg: string, reason: string) {
      handoffSettled(leg, null, reason);
    },
    /**
     * A leg of this phone is up: a ringing call was answered (a warm transfer starts its
     * handover), or the TwiML App answered a dial, whose call the controller then looks up
     * (`placed`).
     */
    answered(leg: string): 'nothing' | 'findPlaced' {
      const c = activeCall.peek();
      if (!c || c.leg !== leg) return 'nothing';
      if (c.phase === 'ringing') {
        const connectedAt = c.kind === 'rejoin' && c.connectedAt ? c.connectedAt : effects().now();
        const warm = c.kind === 'transfer' && c.transferFrom?.mode === 'warm';
        const next: Talking = { ...c, phase: warm ? 'consulting' : 'connected', connectedAt, legUp: true };
        state.value = next;
        if (next.handoff !== 'loading') arrive(next);
        return 'nothing';
      }
      state.value = { ...c, legUp: true };
      return c.phase === 'dialing' && !c.sid ? 'findPlaced' : 'nothing';
    },
    /** The call a dial placed, as the server shows it (`null` or another call: a refused dial). */
    placed(leg: string, l: LiveCall | null) {
      const cur = activeCall.peek();
      if (!l || isEnded(l) || l.call.direction !== 'outbound' || !cur || cur.leg !== leg) return;
      const fx = effects();
      const sid = l.call.sid;
      const customer = l.call.customer ?? cur.customer;
      state.value = { ...cur, sid, customer };
      if (fx.customer.shows(customer)) fx.customer.link(sid);
      else fx.customer.popUp(customer, sid);
      live.value = l;
      fx.live.follow(sid);
      fx.presence.changed();
      // The call is in the history from now on.
      fx.history.changed(0);
      fx.memo.start(sid, 'answered', null);
    },
    /** What the platform said on a leg. */
    heard(leg: string, text: string) {
      const c = activeCall.peek();
      if (c?.leg === leg) state.value = { ...c, heard: text };
      effects().notice.say('info', t('call.heard', { text }));
    },
    /**
     * A leg of this phone went away. When the page cannot tell whether the call ended for
     * everyone or only the leg dropped, the controller asks the server (`legCheckedOnServer`).
     */
    legGone(leg: string, how: 'cancelled' | 'disconnected'): 'settled' | 'askServer' {
      const c = activeCall.peek();
      if (!c || c.leg !== leg) return 'settled';
      const gone: ActiveCall = { ...c, legUp: false };
      state.value = gone;
      if (gone.phase === 'ringing') end(gone, how === 'cancelled' ? 'missed' : 'ended');
      else if (!gone.sid) end(gone, gone.heard !== null ? 'refused' : 'failed');
      else if (gone.hangingUp) end(gone, transfer.transferring.peek() ? 'transferred' : 'ended');
      else if (transfer.completesWhenILeave.peek()) end(gone, 'transferred');
      else return 'askServer';
      return 'settled';
    },
    /** The server's record after my leg went: ended, handed to someone else, or still going on. */
    legCheckedOnServer(c: { sid: string | null; leg: string | null }, l: LiveCall | null): 'settled' | 'unknown' {
      const cur = still(c);
      if (!cur) return 'settled';
      const me = effects().me();
      if (!l || isEnded(l)) end(cur, 'ended');
      else if (cur.kind === 'transfer' && l.call.operator_id !== me) end(cur, 'left');
      else if (l.call.operator_id && l.call.operator_id !== me) end(cur, 'transferred');
      else return 'unknown';
      return 'settled';
    },
    /** Only my leg dropped: the call goes on without this phone, and can be rejoined. */
    legLost(c: { sid: string | null; leg: string | null }) {
      const cur = still(c);
      if (!cur || cur.phase === 'ringing') return;
      state.value = { ...cur, leg: null, legUp: false };
      effects().notice.say('warn', t('call.legLost'));
    },

    // The live state ----------------------------------------------------------------------------

    /**
     * The call's live state was read: the customer answering a dial, hold, the consultation
     * call, my transfer's progress, a transfer to me completing, the call ending or going to
     * someone else.
     */
    followed(l: LiveCall) {
      live.value = l;
      const c = activeCall.peek();
      if (!c || c.sid !== l.call.sid) return;
      const fx = effects();
      const me = fx.me();
      const now = fx.now();
      if (isEnded(l)) {
        end(c, 'ended');
        return;
      }
      transfer.followed(l.transfer);
      const confirmed = c.confirmed || l.call.operator_id === me || (c.kind === 'transfer' && l.transfer?.to_operator === me);
      if (c.kind !== 'transfer' && confirmed && l.call.operator_id && l.call.operator_id !== me) {
        end(c, 'transferred');
        return;
      }
      let next: ActiveCall = { ...c, confirmed };
      if (next.kind === 'transfer' && l.call.operator_id === me) {
        // The transfer completed: the call is mine.
        next = { ...next, kind: 'call' };
        fx.memo.takeOver(l.call.sid, handoffOf(c)?.screen ?? null);
        fx.notice.say('ok', t('transfer.takenOver', { name: c.transferFrom?.name ?? '' }));
      }
      if (next.phase === 'dialing') {
        if (joined(l, 'customer') || !!l.call.answered_at) {
          next = { ...next, phase: 'connected', connectedAt: now };
          fx.presence.changed();
        }
      } else if (next.phase !== 'ringing' && next.kind !== 'transfer') {
        const expect = next.expectHeld;
        const trusted = !!expect && expect.held !== l.customer_held && now < expect.until;
        const held = trusted ? expect.held : l.customer_held;
        next = { ...next, phase: held ? 'held' : 'connected', expectHeld: trusted ? expect : null };
      }
      consult.followed(!!l.consult_in_progress, next.phase === 'held');
      if (!sameCall(next, c)) state.value = next;
    },
    /** The server refuses me the call I was following: it went to someone else. */
    accessLost(sid: string) {
      const c = activeCall.peek();
      if (c && c.sid === sid && c.confirmed) end(c, c.kind === 'transfer' ? 'left' : 'transferred');
    },

    // The operator's actions --------------------------------------------------------------------

    actionStarted() {
      working.value = true;
    },
    actionSettled() {
      working.value = false;
    },
    /** 発信: a dial starts (the phone is asked next); returns the dialing call. */
    dialStarted(number: string): Dialing {
      if (activeCall.peek()) throw new CallRefused(t('call.onCall'));
      const fx = effects();
      fx.notice.clear();
      const c: Dialing = {
        ...FRESH,
        sid: null,
        leg: null,
        direction: 'outbound',
        kind: 'call',
        customer: number,
        phase: 'dialing',
        connectedAt: null,
      };
      state.value = c;
      if (!fx.customer.shows(number)) fx.customer.popUp(number, null);
      return c;
    },
    /** The phone placed the dial on this leg. */
    dialConnected(c: Dialing, leg: string) {
      if (state.peek() === c) state.value = { ...c, leg };
    },
    /** The phone could not place the dial (the error is the caller's to show). */
    dialFailed(c: Dialing) {
      if (state.peek() === c) state.value = IDLE;
    },
    /** 切断 is being asked of the server: my leg ending is expected. */
    hangUpAsked(c: ActiveCall) {
      const cur = still(c);
      if (cur) state.value = { ...cur, hangingUp: true };
    },
    /** The server refused the hang-up. */
    hangUpFailed(c: ActiveCall) {
      const cur = still(c);
      if (cur) state.value = { ...cur, hangingUp: false };
    },
    /** The server hung up: done, unless my leg is still up (its end will tell). */
    hungUp(c: ActiveCall) {
      const cur = still(c);
      if (cur && (!cur.leg || !cur.legUp)) end(cur, transfer.transferring.peek() ? 'transferred' : 'ended');
    },
    /** The operator's part in the call is over (declined, already ended on the server…). */
    ended(c: ActiveCall, how: EndHow) {
      end(c, how);
    },
    /** 保留 or 保留解除 is asked of the server; returns whether the customer is to be held. */
    holdAsked(): boolean {
      const why = whyNoHold.peek();
      const c = activeCall.peek();
      if (why || !c) throw new CallRefused(why ?? t('call.noCall'));
      const held = c.phase !== 'held';
      state.value = { ...c, expectHeld: { held, until: effects().now() + SETTLE_MS } };
      return held;
    },
    /** The server refused the hold or unhold. */
    holdFailed() {
      const c = activeCall.peek();
      if (c) state.value = { ...c, expectHeld: null };
    },
    /** The customer is on hold: the consultation dialog opens, as the manual says. */
    held(sid: string) {
      const c = activeCall.peek();
      if (!c || c.sid !== sid || c.phase === 'ringing' || c.phase === 'dialing') return;
      state.value = { ...c, phase: 'held' };
      consult.openDialog();
    },
    /** The customer is off hold. */
    unheld(sid: string) {
      const c = activeCall.peek();
      if (c && c.sid === sid && c.phase !== 'ringing' && c.phase !== 'dialing') state.value = { ...c, phase: 'connected' };
      consult.closeDialog();
    },
    /** The operator muted or unmuted their microphone. */
    muteToggled() {
      muted.value = !muted.peek();
    },
    /** 転送 is asked of the server (with the screen transfer's draft inquiry, as JSON). */
    transferAsked(to: { id: string; name: string }, mode: TransferMode, sentDraft: string | null) {
      const why = whyNoTransfer.peek();
      if (why) throw new CallRefused(why);
      transfer.asked(to, mode, sentDraft);
    },
    /** The server started the transfer of call `sid`. */
    transferStarted(sid: string, tr: Transfer) {
      transfer.closeDialog();
      consult.closeDialog();
      if (activeCall.peek()?.sid === sid) transfer.started(tr);
    },
    /** The server called off my transfer on call `sid`; the customer stays held with me. */
    transferCanceled(sid: string) {
      if (activeCall.peek()?.sid === sid) transfer.canceled();
    },
    /** The server rings the consultation call of call `sid`. */
    consultDialed(sid: string) {
      if (activeCall.peek()?.sid === sid) consult.dialed();
    },
    /** The operator hung up the consultation call of call `sid`; the customer stays held. */
    consultHungUp(sid: string) {
      if (activeCall.peek()?.sid === sid) consult.hungUp();
    },
    /** 再接続 is asked of the server: the ring that follows is answered at once. */
    rejoinAsked(sid: string) {
      const c = activeCall.peek();
      if (c?.sid === sid) state.value = { ...c, awaitingRejoin: true };
    },
    /** The server is ringing my phone back in (unless the ring came, and was answered, already). */
    rejoinSent(sid: string) {
      const c = activeCall.peek();
      if (c?.sid === sid && c.awaitingRejoin) effects().notice.say('info', t('call.rejoining'));
    },
    /** The server refused the rejoin. */
    rejoinFailed(sid: string) {
      const c = activeCall.peek();
      if (c?.sid === sid) state.value = { ...c, awaitingRejoin: false };
    },
    /** After a reload: a live call of mine is adopted (and offered to rejoin when my leg is gone). */
    adoptAfterReload(l: LiveCall | null) {
      const fx = effects();
      if (!l || isEnded(l) || l.call.operator_id !== fx.me() || activeCall.peek()) return;
      const sid = l.call.sid;
      const customer = l.call.customer ?? '';
      const connectedAt = l.call.answered_at ? Date.parse(l.call.answered_at) : fx.now();
      const base = { ...FRESH, sid, leg: null, direction: l.call.direction, kind: 'call' as const, customer, connectedAt };
      state.value = l.customer_held
        ? { ...base, phase: 'held' }
        : joined(l, 'customer') || l.call.answered_at
          ? { ...base, phase: 'connected' }
          : { ...base, phase: 'dialing' };
      live.value = l;
      if (fx.customer.shows(customer)) fx.customer.link(sid);
      else if (customer) fx.customer.popUp(customer, sid);
      fx.live.follow(sid);
      fx.notice.say('warn', t('call.adopted', { party: nationalPhone(customer) }));
      fx.memo.start(sid, 'rejoined', null);
    },
    /** The page stops handling calls (sign-out, leaving the operator screen). */
    reset() {
      state.value = IDLE;
      live.value = null;
      muted.value = false;
      working.value = false;
      transfer.reset();
      consult.reset();
      effects().memo.release();
    },
  };
});

/** One call model: the page has one (`current.ts`); tests make their own. */
export type Call = InstanceType<typeof CallModel>;

