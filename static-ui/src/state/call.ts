//! The call controller: joins the softphone ({@link Phone}, which carries the audio legs) and the
//! `calls` API (which controls the call: hold, consult, transfer, hang-up) to the call model.
//! The call's state and its transitions are the model's (`call/model.ts`, one per page in
//! `call/current.ts`); this module only
//! - turns the phone's events into transitions (`ring`, `answered`, `legGone`, `heard`…);
//! - follows the call's live state (`GET /api/calls/{id}` every second, `call/follow.ts`) and
//!   hands each read to the model (`followed`);
//! - shows a transfer offered to this operator as soon as the live channel says so, before the
//!   softphone rings (`call/offer.ts`);
//! - runs the operator's actions: the request, then the transition for its outcome;
//! - registers the operation menu's actions, each with the reason it is disabled;
//! - after a reload, asks for the live call of this operator for the model to adopt.
//!
//! What a call does to the rest of the page (Customer info, the memo, Data entry, history,
//! presence, the notice) goes through the effects in `call/page.ts`, the one module of the call
//! layer that reaches into other state modules. Here only the phone's signals, the operation
//! menu, the status (発信応答 is refused in 受付可) and the script's line are used besides.

import { computed, effect } from '@preact/signals';
import type { TransferMode } from '../api/calls';
import * as calls from '../api/calls';
import { ApiError } from '../api/client';
import { errorText } from '../api/errors';
import { t } from '../i18n';
import { follow as followLive, liveState, onLive, pollWhileDown } from '../live';
import { activeCall, call, callSeconds, installCallEffects } from './call/current';
import type { CallEffects } from './call/effects';
import { FOLLOW_MS, LiveFollower } from './call/follow';
import { OfferTracker } from './call/offer';
import { dialNumber, flushMemo, outboundLine, pageEffects, partyName, recoverWrapUpMemo, screenPayload } from './call/page';
import { callStarted } from './entry';
import { calledNumber } from './lines';
import type { Operation } from './operations';
import { registerOperations } from './operations';
import type { Phone, PhoneEvent } from './phone';
import { phone, phoneState } from './phone';
import { presence, wrapUpCall } from './presence';
import { settings } from './settings';

export type { ActiveCall, CallKind, CallPhase } from './call/model';
export { activeCall, callSeconds, partyName, screenPayload };

/** The last live state of the current call. */
export const live = call.live;
/** A transfer this operator started on the current call, once the server started it. */
export const myTransfer = call.transfer.current;
/** A transfer of mine ringing or answered. */
export const transferring = call.transfer.transferring;
/** The screen transfer of the ringing (or just answered) transfer. */
export const handoff = call.handoff;
export const consultOpen = call.consult.open;
export const consultPhase = call.consult.phase;
export const consultNumber = call.consult.number;
export const transferOpen = call.transfer.open;
export const muted = call.muted;
/** An action under way (the buttons wait for it). */
export const working = call.working;
/** Whether this operator's own leg is in the call now. */
export const myLegJoined = call.myLegJoined;
/** The call goes on without this page's phone in it (after a reload or a dropped leg). */
export const needsRejoin = call.needsRejoin;
/** Whether the call is being recorded now, paused, or not at all. */
export const recording = call.recording;

/** Opens the consultation dialog (the customer is held). */
export const openConsult = call.consult.openDialog;
export const closeConsult = call.consult.closeDialog;
/** The consultation dialog's number, as typed or picked from a search. */
export const setConsultNumber = call.consult.typeNumber;
export const closeTransfer = call.transfer.closeDialog;

/** The installed softphone while call control runs. */
let device: Phone | null = null;

const offers = new OfferTracker(() => pageEffects.me(), {
  liveCall: (sid) => calls.liveCall(sid),
  handoff: (id) => calls.handoff(id),
  now: () => Date.now(),
  later(fn, ms) {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
});

/** A transfer offered to me whose ring has not arrived yet (the live channel told first). */
export const transferOffer = offers.offer;

const follower = new LiveFollower(
  (sid) => calls.liveCall(sid),
  (l) => call.followed(l),
  (sid, e) => {
    // Refused once the call had been mine: it went to someone else. (Right after answering,
    // the server may not have recorded me as its operator yet: the model knows.)
    if (e instanceof ApiError && (e.status === 403 || e.status === 404)) call.accessLost(sid);
  },
  // Pushed changes replace the schedule while the live channel is up; the channel's own
  // fallback reads while it is down; every second before it first opens.
  () => (liveState.peek() === 'connecting' || liveState.peek() === 'off' ? FOLLOW_MS : null),
);

/**
 * Reads the followed call when the live channel says it changed, after each (re)subscription,
 * and on the channel's slow fallback schedule while it is down; shows transfers offered to me.
 */
function followPushed(): () => void {
  const stopLive = followLive(['calls', 'transfers'], () => void follower.poll());
  const stopHearing = onLive((m) => {
    if (m.type === 'call_changed') {
      if (m.call === follower.following) void follower.poll();
      offers.callChanged(m.call);
    } else if (m.type === 'transfer_offered') {
      offers.heard(m.offer, activeCall.peek() !== null);
    }
  });
  const stopFallback = pollWhileDown(() => void follower.poll());
  return () => {
    stopFallback();
    stopHearing();
    stopLive();
  };
}

// Phone events ---------------------------------------------------------------------------------

function onPhone(e: PhoneEvent): void {
  switch (e.type) {
    case 'registered':
      if (phoneState.peek() === 'lost') pageEffects.notice.say('ok', t('phone.reconnected'));
      phoneState.value = 'registered';
      break;
    case 'unregistered':
      phoneState.value = 'lost';
      pageEffects.notice.say('warn', t('phone.lost', { reason: e.reason }));
      break;
    case 'incoming':
      ringing(e.leg, e.from, e.params);
      break;
    case 'accepted':
      void accepted(e.leg);
      break;
    case 'cancelled':
    case 'disconnected':
      void legGone(e.leg, e.type);
      break;
    case 'heard':
      call.heard(e.leg, e.text);
      break;
    case 'error':
      pageEffects.notice.say('error', e.message);
      break;
  }
}

function ringing(leg: string, from: string, params: Record<string, string>): void {
  if (params.transferId) offers.rang(params.transferId);
  const next = call.ring(leg, from, params);
  if (next.then === 'answer') {
    void answer().catch((err: unknown) => pageEffects.notice.say('error', errorText(err)));
  } else if (next.then === 'loadHandoff') {
    // Read ahead when the offer was pushed before the ring.
    (offers.prefetched(next.handoffId) ?? calls.handoff(next.handoffId)).then(
      (h) => call.handoffLoaded(leg, h),
      (err: unknown) => call.handoffFailed(leg, errorText(err)),
    );
  }
}

async function accepted(leg: string): Promise<void> {
  if (call.answered(leg) !== 'findPlaced') return;
  // The TwiML App answered this leg: the call it placed is my current call (a refused dial
  // has none and ends with what the platform said).
  call.placed(leg, await calls.currentCall().catch(() => null));
}

async function legGone(leg: string, how: 'cancelled' | 'disconnected'): Promise<void> {
  const c = activeCall.peek();
  if (!c || call.legGone(leg, how) === 'settled') return;
  // Ended for everyone, or only my leg dropped? The server's record tells, once its events are in.
  for (let i = 0; i < 4; i++) {
    const l = c.sid ? await calls.liveCall(c.sid).catch(() => null) : null;
    if (call.legCheckedOnServer(c, l) === 'settled') return;
    await new Promise((r) => setTimeout(r, 300));
  }
  call.legLost(c);
  void follower.poll();
}

// Actions -----------------------------------------------------------------------------------------

async function run<T>(fn: () => Promise<T>): Promise<T> {
  call.actionStarted();
  try {
    return await fn();
  } finally {
    call.actionSettled();
  }
}

function phoneOrThrow(): Phone {
  if (!device) throw new Error(t('call.noPhone'));
  return device;
}

/** Answers the ringing call. */
export async function answer(): Promise<void> {
  const c = activeCall.peek();
  if (!c || c.phase !== 'ringing') return;
  await phoneOrThrow().accept(c.leg);
}

/** Declines the ringing call (the server offers it to someone else). */
export function reject(): void {
  const c = activeCall.peek();
  if (!c || c.phase !== 'ringing') return;
  try {
    phoneOrThrow().reject(c.leg);
  } finally {
    call.ended(c, 'rejected');
  }
}

/** Dials the number in the phone field on the chosen line (発信). */
export async function dial(): Promise<void> {
  const number = dialNumber();
  if (!number) throw new Error(t('call.noNumber'));
  const line = outboundLine.peek();
  if (!line) throw new Error(t('call.noLine'));
  const p = phoneOrThrow();
  // A barred or invalid number is refused here, before the softphone places any leg.
  await calls.dialCheck(number, line.id);
  const c = call.dialStarted(number);
  try {
    call.dialConnected(c, await p.connect({ To: number, LineId: line.id }));
  } catch (e) {
    call.dialFailed(c);
    throw e;
  }
}

/** 発信応答: answers a ringing call, or dials. */
function dialOrAnswer(): Promise<void> {
  return activeCall.peek()?.phase === 'ringing' ? answer() : dial();
}

/** 切断: ends the call (or my part in a transfer). */
export async function hangUp(): Promise<void> {
  const c = activeCall.peek();
  if (!c) return;
  if (c.phase === 'ringing') {
    reject();
    return;
  }
  await run(async () => {
    await flushMemo();
    if (c.sid && c.kind !== 'transfer') {
      call.hangUpAsked(c);
      try {
        await calls.hangup(c.sid);
      } catch (e) {
        call.hangUpFailed(c);
        if (e instanceof ApiError && e.code === 'call_ended') {
          call.ended(c, 'ended');
          return;
        }
        throw e;
      }
      call.hungUp(c);
    } else if (c.leg) {
      phoneOrThrow().disconnect(c.leg);
    } else {
      call.ended(c, 'ended');
    }
  });
}

/** 保留 / 保留解除. Holding opens the consultation dialog, as the manual says. */
export async function toggleHold(): Promise<void> {
  const sid = activeCall.peek()?.sid;
  if (!sid) return;
  await run(async () => {
    follower.discard();
    const hold = call.holdAsked();
    try {
      if (hold) await calls.hold(sid);
      else await calls.unhold(sid);
    } catch (e) {
      call.holdFailed();
      throw e;
    }
    if (hold) call.held(sid);
    else call.unheld(sid);
  });
  follower.discard();
  void follower.poll();
}

/** Calls a third party while the customer is held (保留中外線発信), on `lineId` or the chosen line. */
export async function startConsult(lineId?: string): Promise<void> {
  const sid = activeCall.peek()?.sid;
  const number = consultNumber.peek().trim();
  if (!sid) return;
  if (!number) throw new Error(t('call.noNumber'));
  const line = lineId ?? outboundLine.peek()?.id;
  if (!line) throw new Error(t('call.noLine'));
  await run(() => calls.consult(sid, number, line));
  follower.discard();
  call.consultDialed(sid);
  void follower.poll();
}

/**
 * 外部転送: hands the customer to the connected consultation party (a warm transfer to an outside
 * number). The server takes my leg off the call and puts me in 後処理; the call goes on without me.
 */
export async function handOverToConsulted(): Promise<void> {
  const c = activeCall.peek();
  if (!c?.sid) return;
  const sid = c.sid;
  await run(async () => {
    await flushMemo();
    await calls.handOver(sid);
  });
  call.ended(c, 'ended');
  pageEffects.notice.say('info', t('consult.handedOver'));
}

/**
 * 外部転送 without waiting (cold): the customer is handed to the number typed in the consultation
 * dialog, on `lineId`, and I leave the call at once into 後処理; the customer waits on hold until
 * they answer. An invalid or barred number is refused before anything is dialled.
 */
export async function handOverToNumber(lineId?: string): Promise<void> {
  const c = activeCall.peek();
  const number = consultNumber.peek().trim();
  if (!c?.sid) return;
  if (!number) throw new Error(t('call.noNumber'));
  const line = lineId ?? outboundLine.peek()?.id;
  if (!line) throw new Error(t('call.noLine'));
  const sid = c.sid;
  await run(async () => {
    await flushMemo();
    await calls.handToOutside(sid, number, line);
  });
  call.ended(c, 'ended');
  pageEffects.notice.say('info', t('consult.coldHandedOver', { number }));
}

/** Hangs the consultation call up; the customer stays held. */
export async function endConsult(): Promise<void> {
  const sid = activeCall.peek()?.sid;
  if (!sid) return;
  await run(() => calls.endConsult(sid));
  follower.discard();
  call.consultHungUp(sid);
  void follower.poll();
}

/**
 * Hands the call to another operator (warm or cold), with what this screen shows if asked. A
 * cold transfer ends my part at once (the server rings me back if nobody answers).
 */
export async function startTransfer(to: { id: string; name: string }, mode: TransferMode, withScreen: boolean): Promise<void> {
  const sid = activeCall.peek()?.sid;
  if (!sid) return;
  await run(async () => {
    await flushMemo();
    const screen = withScreen ? screenPayload() : null;
    call.transferAsked(to, mode, screen?.inquiry ? JSON.stringify(screen.inquiry) : null);
    try {
      call.transferStarted(sid, await calls.transfer(sid, { to_operator: to.id, mode, ...(screen ? { screen } : {}) }));
    } catch (e) {
      call.transfer.askFailed();
      throw e;
    }
  });
  void follower.poll();
}

/** Calls off my warm transfer; the customer stays held with me. */
export async function cancelTransfer(): Promise<void> {
  const sid = activeCall.peek()?.sid;
  if (!sid) return;
  await run(() => calls.cancelTransfer(sid));
  call.transferCanceled(sid);
  void follower.poll();
}

/** Rings this page's phone back into my live call. */
export async function rejoinCall(): Promise<void> {
  const sid = activeCall.peek()?.sid;
  if (!sid) return;
  call.rejoinAsked(sid);
  try {
    await run(() => calls.rejoin(sid));
  } catch (e) {
    call.rejoinFailed(sid);
    throw e;
  }
  call.rejoinSent(sid);
}

/** Pauses the recording (while a card number is read out, say) or resumes it. */
export async function toggleRecording(): Promise<void> {
  const sid = activeCall.peek()?.sid;
  const now = recording.peek();
  if (!sid || !now) return;
  await run(() => calls.setRecording(sid, now === 'on' ? 'pause' : 'resume'));
  pageEffects.notice.say('info', now === 'on' ? t('call.recordingPaused') : t('call.recordingResumed'));
  await follower.poll();
}

/** Mutes or unmutes the microphone on my leg. */
export function toggleMute(): void {
  const c = activeCall.peek();
  if (!c?.leg) return;
  phoneOrThrow().mute(c.leg, !muted.peek());
  call.muteToggled();
}

/** Sends touch tones on my leg. */
export function sendDigits(digits: string): void {
  const c = activeCall.peek();
  if (c?.leg) phoneOrThrow().sendDigits(c.leg, digits);
}

// The operation menu ----------------------------------------------------------------------------

const noCall = () => t('call.noCall');

function operationsOf(): Parameters<typeof registerOperations>[0] {
  const dialAnswer: Operation = {
    run: () => run(dialOrAnswer),
    disabledReason: computed(() => {
      const c = activeCall.value;
      if (working.value) return t('call.working');
      if (c?.phase === 'ringing') return null;
      if (!phone.value) return t('call.noPhone');
      if (phoneState.value !== 'registered') return t('call.phoneNotReady');
      if (c) return t('call.onCall');
      // The manual dials "in any status other than 受付可": an inbound call may be routed to
      // this operator at any moment.
      return presence.value === 'available' ? t('call.availableNoDial') : null;
    }),
  };
  const hangUpOp: Operation = {
    run: hangUp,
    disabledReason: computed(() => (activeCall.value ? (working.value ? t('call.working') : null) : noCall())),
  };
  const hold: Operation = {
    run: toggleHold,
    pressed: computed(() => activeCall.value?.phase === 'held'),
    disabledReason: computed(() => {
      if (!activeCall.value) return noCall();
      if (working.value) return t('call.working');
      return call.whyNoHold.value;
    }),
  };
  const transfer: Operation = {
    run: () => {
      // The list of users replaces the consultation dialog that holding opened.
      call.consult.closeDialog();
      call.transfer.openDialog();
    },
    disabledReason: call.whyNoTransfer,
  };
  return { dialAnswer, hangUp: hangUpOp, hold, transfer };
}

/**
 * Drives the installed phone: its events, the operation menu, a call found live after a
 * reload. Returns the stop function (sign-out, leaving the operator screen).
 */
export function startCallControl(p: Phone): () => void {
  device = p;
  phoneState.value = 'connecting';
  const effects: CallEffects = {
    ...pageEffects,
    phone: {
      drop(leg) {
        try {
          device?.disconnect(leg);
        } catch {
          /* already gone */
        }
      },
      decline(leg) {
        try {
          device?.reject(leg);
        } catch {
          /* the ring ends by itself */
        }
      },
    },
    live: {
      follow: (sid) => follower.follow(sid),
      unfollow: () => follower.stop(),
    },
  };
  const uninstall = installCallEffects(effects);
  const unsubscribe = p.subscribe(onPhone);
  const unregister = registerOperations(operationsOf());
  const stopPushed = followPushed();
  // The talk script follows the number the customer called.
  const stopScript = effect(() => {
    const c = activeCall.value;
    calledNumber.value = c?.direction === 'inbound' ? (live.value?.call.line ?? null) : null;
  });
  // 対応ステータス必須: the memo of the call 後処理 follows is on the page to choose its status.
  const stopWrapUpMemo = effect(() => {
    const sid = wrapUpCall.value;
    if (sid && !activeCall.value && settings.value?.call_handling.require_response_status) void recoverWrapUpMemo(sid);
  });
  // 受付日時 follows when the call rang or was placed.
  const stopStarted = effect(() => {
    const l = live.value?.call;
    if (l && l.started_at && (callStarted.peek()?.sid !== l.sid || callStarted.peek()?.at !== l.started_at)) {
      callStarted.value = { sid: l.sid, at: l.started_at };
    }
  });
  void calls
    .currentCall()
    .catch(() => null)
    .then((l) => {
      if (device === p) call.adoptAfterReload(l);
    });
  return () => {
    stopScript();
    stopStarted();
    stopWrapUpMemo();
    callStarted.value = null;
    calledNumber.value = null;
    stopPushed();
    offers.reset();
    unsubscribe();
    unregister();
    follower.stop();
    call.reset();
    uninstall();
    if (device === p) device = null;
  };
}
