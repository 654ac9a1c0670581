//! The operator's call, from ring to hang-up. The softphone ({@link Phone}) carries the audio
//! legs; the `calls` API controls the call itself (hold, consult, transfer, hang-up); this module
//! joins the two and keeps {@link activeCall} current:
//! - a ring pops the customer up (`popUp`), a screen transfer's handoff is loaded with it;
//! - an answered call starts its memo (saved through the memos API while it is this operator's);
//! - while a call lasts its live state is followed (`GET /api/calls/{id}` every second): the
//!   customer answering an outgoing call, hold, the consultation call, a transfer's progress,
//!   the call ending elsewhere;
//! - the operation menu's actions are registered here, with the reason each one is disabled;
//! - after a reload, a live call of this operator is adopted and can be rejoined.

import { batch, computed, effect, signal } from '@preact/signals';
import type { Handoff, LiveCall, ScreenTransfer, Transfer, TransferMode } from '../api/calls';
import * as calls from '../api/calls';
import { ApiError } from '../api/client';
import { errorText } from '../api/errors';
import { getMemo, saveMemo as putMemo } from '../api/memos';
import type { Memo } from '../api/memos';
import { currentUser } from '../auth';
import { nationalPhone } from '../format';
import { t } from '../i18n';
import { account, accountId, callSid as customerCallSid, contact, contactId, lookupResult, phoneInput, popUp } from './customer';
import { dirty, draftOf, openNew, resetForm } from './entry';
import { CALLS_TAB, loadTab, tabs } from './history';
import { selectedLine } from './lines';
import type { MemoSaver, MemoVersion } from './memo';
import { memoCallSid, memoText, rebaseMemo, resetMemo, responseStatus, saveMemo, saveState, setMemoSaver } from './memo';
import { clearNotice, say } from './notice';
import type { Operation } from './operations';
import { registerOperations } from './operations';
import type { ActiveCall, Phone, PhoneEvent } from './phone';
import { activeCall, phone, phoneState } from './phone';
import { presence, refreshPresence } from './presence';
import { settings } from './settings';

/** How often a call's live state is read while it lasts. */
const FOLLOW_MS = 1000;
/** A consultation call nobody answered is given up after this long (the server rings 45 s). */
const CONSULT_RING_MS = 50_000;
const ENDED = new Set(['completed', 'abandoned', 'failed', 'busy', 'no_answer', 'canceled']);

/** The last live state of the current call. */
export const live = signal<LiveCall | null>(null);
/** A transfer this operator started on the current call, while it is under way. */
export const myTransfer = signal<Transfer | null>(null);
/** The screen transfer of the ringing (or just answered) transfer. */
export const handoff = signal<Handoff | null>(null);
export const consultOpen = signal(false);
export const consultPhase = signal<'idle' | 'ringing' | 'connected'>('idle');
export const consultNumber = signal('');
export const transferOpen = signal(false);
export const muted = signal(false);
/** An action under way (the buttons wait for it). */
export const working = signal(false);

const meId = () => currentUser.peek()?.id ?? '';
const isEnded = (l: LiveCall) => !!l.call.ended_at || ENDED.has(l.call.status);
const joined = (l: LiveCall, label: string) => l.participants.some((p) => p.label === label && p.state === 'joined');

/** Whether this operator's own leg is in the call now. */
export const myLegJoined = computed(() => {
  const l = live.value;
  return !!l && joined(l, l.operator_label ?? 'operator');
});

/** The call goes on without this page's phone in it (after a reload or a dropped leg). */
export const needsRejoin = computed(() => {
  const c = activeCall.value;
  const l = live.value;
  return !!c && c.leg === null && c.phase !== 'ringing' && !!l && l.call.sid === c.sid && !myLegJoined.value;
});

/** A transfer of mine ringing or answered. */
export const transferring = computed(() => {
  const tr = myTransfer.value;
  return !!tr && (tr.state === 'ringing' || tr.state === 'answered');
});

/** Who the operator is talking to, for the status line. */
export const partyName = computed(() => {
  const c = activeCall.value;
  if (!c) return '';
  const r = lookupResult.value;
  const sameNumber = r && (r.phone === c.customer || r.display === c.customer);
  const name = sameNumber ? (contact.value?.record.title ?? account.value?.record.title) : undefined;
  const number = c.customer.startsWith('+') ? nationalPhone(c.customer) : c.customer;
  return name ? `${name}（${number}）` : number || t('call.unknownNumber');
});

let ph: Phone | null = null;
/** Legs this page's phone has up. */
const openLegs = new Set<string>();
/** What the platform said on each leg. */
const heardOn = new Map<string, string>();
/** The call a hang-up was asked for (its leg ending is expected). */
let hangingUp: string | null = null;
/** The call whose rejoin this operator asked for (its ring is answered at once). */
let rejoinAsked: string | null = null;
/** The memo a transfer's target started from (to merge with the server's once the call is theirs). */
let memoBase: { text: string; responseStatus: string | null } | null = null;
let consultSince = 0;
/** The draft inquiry sent with the last screen transfer (cleared here once the call is handed over). */
let sentDraft: string | null = null;
/** A cold transfer being asked for (my leg leaves before the request returns). */
let coldTransfer: { sid: string; name: string } | null = null;
/** The ringing transfer's screen transfer, being loaded. */
let handoffLoading: Promise<Handoff | null> = Promise.resolve(null);

// Following the live state -------------------------------------------------------------------

let followSid: string | null = null;
/** The call the server has shown this operator as the operator of (or a transfer's target). */
let confirmedMine: string | null = null;
let followTimer: ReturnType<typeof setTimeout> | null = null;
let pollSeq = 0;
let appliedSeq = 0;
/** How long the page trusts what an action just did over a live state that lags behind it. */
const SETTLE_MS = 5000;
/** The hold state the operator just asked for, until the server's record shows it. */
let expectHeld: { held: boolean; until: number } | null = null;
/** The consultation call just hung up, until the server's record shows it gone. */
let expectNoConsult = 0;

/** Live states read before an action are stale once it is done: they are not applied. */
function discardPolls(): void {
  appliedSeq = ++pollSeq;
}

function follow(sid: string): void {
  if (followSid !== sid) {
    stopFollowing();
    followSid = sid;
  }
  void poll();
}

function stopFollowing(): void {
  followSid = null;
  if (followTimer) clearTimeout(followTimer);
  followTimer = null;
  live.value = null;
}

/** Reads the live state now (after an action, a phone event). */
function poll(): Promise<void> {
  const sid = followSid;
  if (!sid) return Promise.resolve();
  if (followTimer) clearTimeout(followTimer);
  followTimer = null;
  const seq = ++pollSeq;
  return calls
    .liveCall(sid)
    .then((l) => {
      if (followSid !== sid || seq < appliedSeq) return;
      appliedSeq = seq;
      applyLive(l);
    })
    .catch((e: unknown) => {
      if (followSid !== sid) return;
      const c = activeCall.peek();
      // Refused once the call had been mine: it went to someone else. (Right after answering,
      // the server may not have recorded me as its operator yet.)
      if (c && c.sid === sid && confirmedMine === sid && e instanceof ApiError && (e.status === 403 || e.status === 404)) {
        finish(c, c.kind === 'transfer' ? 'left' : 'transferred');
      }
    })
    .finally(() => {
      if (followSid === sid && !followTimer) followTimer = setTimeout(() => void poll(), FOLLOW_MS);
    });
}

function transferReason(reason: string | undefined): string {
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

function applyLive(l: LiveCall): void {
  live.value = l;
  const c = activeCall.peek();
  if (!c || c.sid !== l.call.sid) return;
  const me = meId();
  if (isEnded(l)) {
    finish(c, 'ended');
    return;
  }
  const mine = myTransfer.peek();
  if (mine && l.transfer && l.transfer.id === mine.id) {
    if (l.transfer.state === 'answered' && mine.state === 'ringing') {
      say('info', t('transfer.answered', { name: l.transfer.to_name }));
    }
    if (l.transfer.state === 'failed' || l.transfer.state === 'canceled') {
      myTransfer.value = null;
      if (l.transfer.state === 'canceled') say('info', t('transfer.canceled'));
      else say('warn', t('transfer.failed', { name: l.transfer.to_name, reason: transferReason(l.transfer.reason) }));
    } else {
      myTransfer.value = l.transfer;
    }
  }
  if (l.call.operator_id === me || (c.kind === 'transfer' && l.transfer?.to_operator === me)) confirmedMine = l.call.sid;
  if (c.kind !== 'transfer' && confirmedMine === l.call.sid && l.call.operator_id && l.call.operator_id !== me) {
    finish(c, 'transferred');
    return;
  }
  let next: ActiveCall = c;
  if (c.kind === 'transfer' && l.call.operator_id === me) {
    // The transfer completed: the call is mine.
    next = { ...next, kind: 'call' };
    void takeOverMemo(l.call.sid);
    say('ok', t('transfer.takenOver', { name: c.transferFrom?.name ?? '' }));
  }
  const customerIn = joined(l, 'customer') || !!l.call.answered_at;
  if (next.phase === 'dialing' && customerIn) {
    next = { ...next, phase: 'connected', connectedAt: Date.now() };
    void refreshPresence();
  } else if (next.kind !== 'transfer' && (next.phase === 'connected' || next.phase === 'held' || next.phase === 'consulting')) {
    let held = l.customer_held;
    if (expectHeld && held !== expectHeld.held && Date.now() < expectHeld.until) held = expectHeld.held;
    else expectHeld = null;
    next = { ...next, phase: held ? 'held' : 'connected' };
  }
  const consulting = l.consult_in_progress && Date.now() >= expectNoConsult;
  if (!l.consult_in_progress) expectNoConsult = 0;
  if (consulting) {
    consultPhase.value = 'connected';
  } else if (consultPhase.peek() === 'connected') {
    consultPhase.value = 'idle';
    say('info', t('consult.ended'));
  } else if (consultPhase.peek() === 'ringing' && Date.now() - consultSince > CONSULT_RING_MS) {
    consultPhase.value = 'idle';
    say('warn', t('consult.noAnswer'));
  }
  if (next.phase !== 'held' && consultOpen.peek() && consultPhase.peek() === 'idle') consultOpen.value = false;
  if (next !== c) activeCall.value = next;
}

// The memo of a call --------------------------------------------------------------------------

const memoSaver: MemoSaver = async (d) => {
  if (!d.callSid) throw new Error(t('memo.noCall'));
  return fromServer(await putMemo(d.callSid, d.version, d.text, d.responseStatus));
};

function fromServer(m: Memo): MemoVersion {
  return { text: m.text, responseStatus: m.response_status ?? null, version: m.version };
}

/** Saves what is typed before the call changes hands or ends (a save after that is refused). */
async function flushMemo(): Promise<void> {
  if (saveState.peek() === 'unsaved') await saveMemo();
}

/** Starts the memo of a call this operator now handles. */
async function startMemo(c: ActiveCall): Promise<void> {
  const sid = c.sid;
  if (!sid) return;
  if (memoCallSid.peek() === sid && c.kind !== 'transfer') {
    // Rejoined, or reloaded during the call: the memo on this page is this call's.
    setMemoSaver(memoSaver);
    try {
      rebaseMemo(fromServer(await getMemo(sid)), { text: memoText.peek(), responseStatus: responseStatus.peek() });
    } catch {
      /* the saver's 409 settles it later */
    }
    return;
  }
  await flushMemo();
  if (c.kind === 'transfer') {
    // Not mine until the transfer completes: kept on the page, merged with the server's then.
    setMemoSaver(null);
    const screen = handoff.peek()?.screen;
    memoBase = { text: screen?.memo ?? '', responseStatus: screen?.response_status ?? null };
    resetMemo(sid, { ...memoBase, version: 0 });
    return;
  }
  if (c.kind === 'rejoin') {
    resetMemo(sid, fromServer(await getMemo(sid).catch(() => ({ call_sid: sid, text: '', version: 0 }))));
    setMemoSaver(memoSaver);
    return;
  }
  // Notes typed before any call go with this one.
  const carried = memoCallSid.peek() === null && (memoText.peek() || responseStatus.peek());
  resetMemo(sid, carried ? { text: memoText.peek(), responseStatus: responseStatus.peek(), version: 0 } : undefined);
  setMemoSaver(memoSaver);
}

/** A transferred call became mine: its memo is saved from now on, merged with the server's. */
async function takeOverMemo(sid: string): Promise<void> {
  const base = memoBase ?? { text: '', responseStatus: null };
  memoBase = null;
  try {
    const server = fromServer(await getMemo(sid));
    setMemoSaver(memoSaver);
    rebaseMemo(server, base);
  } catch (e) {
    setMemoSaver(memoSaver);
    say('warn', t('memo.loadFailed', { detail: errorText(e) }));
  }
}

// Phone events ---------------------------------------------------------------------------------

function onPhone(e: PhoneEvent): void {
  switch (e.type) {
    case 'registered':
      if (phoneState.peek() === 'lost') say('ok', t('phone.reconnected'));
      phoneState.value = 'registered';
      break;
    case 'unregistered':
      phoneState.value = 'lost';
      say('warn', t('phone.lost', { reason: e.reason }));
      break;
    case 'incoming':
      ringing(e.leg, e.from, e.params);
      break;
    case 'accepted':
      openLegs.add(e.leg);
      void accepted(e.leg);
      break;
    case 'cancelled':
    case 'disconnected':
      openLegs.delete(e.leg);
      void legGone(e.leg, e.type);
      break;
    case 'heard':
      heardOn.set(e.leg, e.text);
      say('info', t('call.heard', { text: e.text }));
      break;
    case 'error':
      say('error', e.message);
      break;
  }
}

function ringing(leg: string, from: string, params: Record<string, string>): void {
  // A supervisor's monitoring ring belongs to the monitor page, which answers it; rejecting it
  // here would end it there too.
  if (params.monitor) return;
  const sid = params.callSid || null;
  const c = activeCall.peek();
  const rejoin = params.rejoin === 'true';
  const ownCallBack = rejoin && !!c && c.sid === sid && c.leg === null;
  if (c && !ownCallBack) {
    // Busy with another call: the server offers this one to someone else.
    try {
      ph?.reject(leg);
    } catch {
      /* the ring ends by itself */
    }
    return;
  }
  const customer = params.customer || from;
  const base = { sid, leg, customer, phase: 'ringing' as const, connectedAt: c?.connectedAt ?? null };
  let next: ActiveCall;
  if (rejoin) {
    next = { ...base, direction: c?.direction ?? 'inbound', kind: 'rejoin', ...(params.ringBack ? { ringBack: params.ringBack } : {}) };
  } else if (params.transferId) {
    next = {
      ...base,
      direction: 'inbound',
      kind: 'transfer',
      transferFrom: {
        name: params.fromOperator ?? '',
        id: params.transferId,
        mode: params.mode === 'cold' ? 'cold' : 'warm',
        handoffId: params.handoffId || null,
      },
    };
  } else {
    next = { ...base, direction: 'inbound', kind: 'call' };
  }
  batch(() => {
    handoff.value = null;
    activeCall.value = next;
  });
  clearNotice();
  if (rejoin && rejoinAsked === sid) {
    rejoinAsked = null;
    void answer().catch((err: unknown) => say('error', errorText(err)));
    return;
  }
  const handoffId = next.transferFrom?.handoffId;
  if (handoffId) {
    handoffLoading = calls
      .handoff(handoffId)
      .then((h) => {
        if (activeCall.peek()?.leg !== leg) return null;
        handoff.value = h;
        void popUp(customer, sid ?? undefined, {
          ...(h.screen.account_id ? { account: h.screen.account_id } : {}),
          ...(h.screen.contact_id ? { contact: h.screen.contact_id } : {}),
        });
        return h;
      })
      .catch((err: unknown) => {
        say('warn', t('transfer.handoffFailed', { detail: errorText(err) }));
        void popUp(customer, sid ?? undefined);
        return null;
      });
  } else if (!(rejoin && lookupResult.peek()?.phone === customer)) {
    void popUp(customer, sid ?? undefined);
  }
}

async function accepted(leg: string): Promise<void> {
  const c = activeCall.peek();
  if (!c || c.leg !== leg) return;
  if (c.phase === 'ringing') {
    const warmTransfer = c.kind === 'transfer' && c.transferFrom?.mode === 'warm';
    const next: ActiveCall = {
      ...c,
      phase: warmTransfer ? 'consulting' : 'connected',
      connectedAt: c.kind === 'rejoin' && c.connectedAt ? c.connectedAt : Date.now(),
    };
    activeCall.value = next;
    if (c.kind === 'transfer') {
      await handoffLoading;
      applyScreenTransfer(c);
    }
    if (c.kind === 'rejoin') say('ok', t('call.rejoined'));
    if (c.sid) {
      if (customerCallSid.peek() !== c.sid) customerCallSid.value = c.sid;
      follow(c.sid);
    }
    void refreshPresence();
    await startMemo(next);
    return;
  }
  if (c.phase === 'dialing' && !c.sid) {
    // The TwiML App answered this leg: the call it placed is my current call (a refused dial
    // has none and ends with what the platform said).
    const l = await calls.currentCall().catch(() => null);
    const cur = activeCall.peek();
    if (!l || isEnded(l) || l.call.direction !== 'outbound' || !cur || cur.leg !== leg) return;
    const sid = l.call.sid;
    const customer = l.call.customer ?? cur.customer;
    const next: ActiveCall = { ...cur, sid, customer };
    activeCall.value = next;
    if (lookupResult.peek()?.phone === customer) customerCallSid.value = sid;
    else void popUp(customer, sid);
    live.value = l;
    follow(sid);
    void refreshPresence();
    // The call is in the history from now on.
    if (tabs.peek()[CALLS_TAB]) void loadTab(CALLS_TAB);
    await startMemo(next);
  }
}

async function legGone(leg: string, how: 'cancelled' | 'disconnected'): Promise<void> {
  const c = activeCall.peek();
  if (!c || c.leg !== leg) return;
  if (c.phase === 'ringing') {
    finish(c, how === 'cancelled' ? 'missed' : 'ended');
    return;
  }
  if (!c.sid) {
    finish(c, heardOn.has(leg) ? 'refused' : 'failed');
    return;
  }
  if (hangingUp === c.sid) {
    finish(c, transferring.peek() ? 'transferred' : 'ended');
    return;
  }
  const tr = myTransfer.peek();
  if ((tr && (tr.mode === 'cold' || tr.state === 'answered')) || coldTransfer?.sid === c.sid) {
    finish(c, 'transferred');
    return;
  }
  // Ended for everyone, or only my leg dropped? The server's record tells, once its events are in.
  const same = () => activeCall.peek()?.sid === c.sid && activeCall.peek()?.leg === c.leg;
  for (let i = 0; i < 4; i++) {
    const l = await calls.liveCall(c.sid).catch(() => null);
    if (!same()) return;
    if (!l || isEnded(l)) return finish(c, 'ended');
    if (c.kind === 'transfer' && l.call.operator_id !== meId()) return finish(c, 'left');
    if (l.call.operator_id && l.call.operator_id !== meId()) return finish(c, 'transferred');
    await new Promise((r) => setTimeout(r, 300));
  }
  if (!same()) return;
  activeCall.value = { ...(activeCall.peek() as ActiveCall), leg: null };
  say('warn', t('call.legLost'));
  void poll();
}

type EndHow = 'ended' | 'transferred' | 'missed' | 'rejected' | 'refused' | 'failed' | 'left';

/** The operator's part in the call is over. */
function finish(c: ActiveCall, how: EndHow): void {
  const cur = activeCall.peek();
  if (!cur || cur.sid !== c.sid || cur.leg !== c.leg) return;
  const tr = myTransfer.peek();
  const heard = c.leg ? heardOn.get(c.leg) : undefined;
  if (c.leg && openLegs.has(c.leg)) {
    try {
      ph?.disconnect(c.leg);
    } catch {
      /* already gone */
    }
  }
  if (c.leg) heardOn.delete(c.leg);
  batch(() => {
    activeCall.value = null;
    myTransfer.value = null;
    handoff.value = null;
    consultOpen.value = false;
    consultPhase.value = 'idle';
    transferOpen.value = false;
    muted.value = false;
  });
  stopFollowing();
  hangingUp = null;
  switch (how) {
    case 'ended':
      say('info', t('call.ended', { party: c.customer ? nationalPhone(c.customer) : '' }));
      break;
    case 'transferred': {
      const name = tr?.to_name ?? (coldTransfer?.sid === c.sid ? coldTransfer.name : null);
      say('ok', name ? t('transfer.done', { name }) : t('transfer.doneUnknown'));
      setMemoSaver(null);
      // The draft went with the call: it is not left here to be registered twice.
      if (sentDraft !== null && JSON.stringify(draftOf()) === sentDraft) resetForm();
      sentDraft = null;
      break;
    }
    case 'missed':
      say('info', c.kind === 'transfer' ? t('transfer.missed') : t('call.missed'));
      break;
    case 'rejected':
      say('info', t('call.rejected'));
      break;
    case 'refused':
      say('warn', t('call.refused', { text: heard ?? '' }));
      break;
    case 'failed':
      // The Twilio phone hears the platform's reason rather than reading it: the one reason
      // the page can know is said in writing too.
      say('warn', presence.peek() === 'available' ? t('call.refused', { text: t('call.refusedAvailable') }) : t('call.dialFailed'));
      break;
    case 'left':
      say('info', t('transfer.left', { name: c.transferFrom?.name ?? '' }));
      setMemoSaver(null);
      break;
  }
  void refreshPresence();
  // The call appears (or changes) in the history.
  if (c.sid && tabs.peek()[CALLS_TAB]) setTimeout(() => void loadTab(CALLS_TAB), 300);
}

// The screen transfer ---------------------------------------------------------------------------

/** What this screen shows, for the target of a transfer (画面転送). */
export function screenPayload(): ScreenTransfer {
  const notes = [...(account.peek()?.special_notes ?? []), ...(contact.peek()?.special_notes ?? [])]
    .filter((n) => n.label.trim() && n.label.length <= 100)
    .slice(0, 50)
    .map((n) => ({ label: n.label, value: n.value.slice(0, 10_000) }));
  const rs = responseStatus.peek();
  const draft = draftOf();
  return {
    ...(accountId.peek() ? { account_id: accountId.peek() as string } : {}),
    ...(contactId.peek() ? { contact_id: contactId.peek() as string } : {}),
    ...(notes.length ? { special_notes: notes } : {}),
    ...(memoText.peek() ? { memo: memoText.peek().slice(0, 10_000) } : {}),
    ...(rs && settings.peek()?.response_statuses.some((s) => s.id === rs) ? { response_status: rs } : {}),
    ...(draft ? { inquiry: draft } : {}),
  };
}

/** The handed-over draft fills Data entry (unless the operator has unsaved input there). */
function applyScreenTransfer(c: ActiveCall): void {
  const h = handoff.peek();
  const draft = h?.screen.inquiry;
  const from = c.transferFrom?.name ?? '';
  if (!h) return;
  const fill = () =>
    openNew(draft?.object ?? 'inquiry', {
      prefill: draft?.fields ?? {},
      accountId: h.screen.account_id ?? null,
      contactId: h.screen.contact_id ?? null,
      followCustomer: true,
    });
  if (!draft) {
    say('ok', t('transfer.screenArrived', { name: from }));
  } else if (dirty.peek()) {
    say('warn', t('transfer.draftKept', { name: from }), { label: t('transfer.applyDraft'), run: fill });
  } else {
    fill();
    say('ok', t('transfer.screenArrived', { name: from }));
  }
}

// Actions -----------------------------------------------------------------------------------------

async function run<T>(fn: () => Promise<T>): Promise<T> {
  working.value = true;
  try {
    return await fn();
  } finally {
    working.value = false;
  }
}

function device(): Phone {
  if (!ph) throw new Error(t('call.noPhone'));
  return ph;
}

/** Answers the ringing call. */
export async function answer(): Promise<void> {
  const c = activeCall.peek();
  if (!c || c.phase !== 'ringing' || !c.leg) return;
  await device().accept(c.leg);
}

/** Declines the ringing call (the server offers it to someone else). */
export function reject(): void {
  const c = activeCall.peek();
  if (!c || c.phase !== 'ringing' || !c.leg) return;
  try {
    device().reject(c.leg);
  } finally {
    finish(c, 'rejected');
  }
}

/** Dials the number in the phone field on the chosen line (発信). */
export async function dial(): Promise<void> {
  const number = phoneInput.peek().trim() || lookupResult.peek()?.phone || '';
  if (!number) throw new Error(t('call.noNumber'));
  const line = selectedLine.peek();
  if (!line) throw new Error(t('call.noLine'));
  const p = device();
  clearNotice();
  const c: ActiveCall = {
    sid: null,
    leg: null,
    direction: 'outbound',
    kind: 'call',
    customer: number,
    phase: 'dialing',
    connectedAt: null,
  };
  activeCall.value = c;
  if (lookupResult.peek()?.display !== number && lookupResult.peek()?.phone !== number) void popUp(number);
  try {
    const leg = await p.connect({ To: number, LineId: line.id });
    if (activeCall.peek() === c) activeCall.value = { ...c, leg };
  } catch (e) {
    if (activeCall.peek() === c) activeCall.value = null;
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
      hangingUp = c.sid;
      try {
        await calls.hangup(c.sid);
      } catch (e) {
        hangingUp = null;
        if (e instanceof ApiError && e.code === 'call_ended') {
          finish(c, 'ended');
          return;
        }
        throw e;
      }
      if (!c.leg || !openLegs.has(c.leg)) finish(c, transferring.peek() ? 'transferred' : 'ended');
    } else if (c.leg) {
      device().disconnect(c.leg);
    } else {
      finish(c, 'ended');
    }
  });
}

/** 保留 / 保留解除. Holding opens the consultation dialog, as the manual says. */
export async function toggleHold(): Promise<void> {
  const c = activeCall.peek();
  if (!c?.sid) return;
  const sid = c.sid;
  await run(async () => {
    discardPolls();
    expectHeld = { held: c.phase !== 'held', until: Date.now() + SETTLE_MS };
    if (c.phase === 'held') {
      await calls.unhold(sid);
      if (activeCall.peek()?.sid === sid) activeCall.value = { ...(activeCall.peek() as ActiveCall), phase: 'connected' };
      consultOpen.value = false;
    } else {
      await calls.hold(sid);
      if (activeCall.peek()?.sid === sid) activeCall.value = { ...(activeCall.peek() as ActiveCall), phase: 'held' };
      consultOpen.value = true;
    }
  }).catch((e: unknown) => {
    expectHeld = null;
    throw e;
  });
  discardPolls();
  void poll();
}

/** Calls a third party while the customer is held (保留中外線発信). */
export async function startConsult(): Promise<void> {
  const c = activeCall.peek();
  const number = consultNumber.peek().trim();
  if (!c?.sid) return;
  if (!number) throw new Error(t('call.noNumber'));
  const line = selectedLine.peek();
  if (!line) throw new Error(t('call.noLine'));
  const sid = c.sid;
  await run(() => calls.consult(sid, number, line.id));
  discardPolls();
  expectNoConsult = 0;
  consultSince = Date.now();
  consultPhase.value = 'ringing';
  void poll();
}

/** Hangs the consultation call up; the customer stays held. */
export async function endConsult(): Promise<void> {
  const sid = activeCall.peek()?.sid;
  if (!sid) return;
  await run(() => calls.endConsult(sid));
  discardPolls();
  expectNoConsult = Date.now() + SETTLE_MS;
  consultPhase.value = 'idle';
  void poll();
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
    if (mode === 'cold') coldTransfer = { sid, name: to.name };
    const screen = withScreen ? screenPayload() : null;
    sentDraft = screen?.inquiry ? JSON.stringify(screen.inquiry) : null;
    try {
      const tr = await calls.transfer(sid, { to_operator: to.id, mode, ...(screen ? { screen } : {}) });
      transferOpen.value = false;
      consultOpen.value = false;
      if (activeCall.peek()?.sid === sid) {
        myTransfer.value = tr;
        say('info', mode === 'warm' ? t('transfer.ringingWarm', { name: tr.to_name }) : t('transfer.ringingCold', { name: tr.to_name }));
      }
    } finally {
      coldTransfer = null;
    }
  });
  void poll();
}

/** Calls off my warm transfer; the customer stays held with me. */
export async function cancelTransfer(): Promise<void> {
  const sid = activeCall.peek()?.sid;
  if (!sid) return;
  await run(() => calls.cancelTransfer(sid));
  myTransfer.value = null;
  say('info', t('transfer.canceled'));
  void poll();
}

/** Rings this page's phone back into my live call. */
export async function rejoinCall(): Promise<void> {
  const sid = activeCall.peek()?.sid;
  if (!sid) return;
  rejoinAsked = sid;
  try {
    await run(() => calls.rejoin(sid));
    // (The ring may have come, and been answered, before the request returned.)
    if (rejoinAsked === sid) say('info', t('call.rejoining'));
  } catch (e) {
    rejoinAsked = null;
    throw e;
  }
}

/** Whether the call is being recorded now, paused, or not at all. */
export const recording = computed<'on' | 'paused' | null>(() => {
  const l = live.value;
  const c = activeCall.value;
  if (!l || !c || l.call.sid !== c.sid || l.call.recording_status !== 'in-progress') return null;
  return l.call.recording_paused ? 'paused' : 'on';
});

/** Pauses the recording (while a card number is read out, say) or resumes it. */
export async function toggleRecording(): Promise<void> {
  const sid = activeCall.peek()?.sid;
  const now = recording.peek();
  if (!sid || !now) return;
  await run(() => calls.setRecording(sid, now === 'on' ? 'pause' : 'resume'));
  say('info', now === 'on' ? t('call.recordingPaused') : t('call.recordingResumed'));
  await poll();
}

export function toggleMute(): void {
  const c = activeCall.peek();
  if (!c?.leg) return;
  device().mute(c.leg, !muted.peek());
  muted.value = !muted.peek();
}

export function sendDigits(digits: string): void {
  const c = activeCall.peek();
  if (c?.leg) device().sendDigits(c.leg, digits);
}

/** After a reload: a live call of mine is adopted (and offered to rejoin when my leg is gone). */
async function adoptCurrentCall(): Promise<void> {
  const l = await calls.currentCall().catch(() => null);
  if (!l || isEnded(l) || l.call.operator_id !== meId() || activeCall.peek()) return;
  const sid = l.call.sid;
  const customer = l.call.customer ?? '';
  const c: ActiveCall = {
    sid,
    leg: null,
    direction: l.call.direction,
    kind: 'call',
    customer,
    phase: l.customer_held ? 'held' : joined(l, 'customer') || l.call.answered_at ? 'connected' : 'dialing',
    connectedAt: l.call.answered_at ? Date.parse(l.call.answered_at) : Date.now(),
  };
  activeCall.value = c;
  live.value = l;
  if (lookupResult.peek()?.phone === customer) customerCallSid.value = sid;
  else if (customer) void popUp(customer, sid);
  follow(sid);
  say('warn', t('call.adopted', { party: nationalPhone(customer) }));
  await startMemo({ ...c, kind: memoCallSid.peek() === sid ? 'call' : 'rejoin' });
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
      return c ? t('call.onCall') : null;
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
      const c = activeCall.value;
      if (!c) return noCall();
      if (working.value) return t('call.working');
      if (c.kind === 'transfer') return t('call.transferPending');
      if (!c.sid || (c.phase !== 'connected' && c.phase !== 'held')) return t('call.notConnected');
      if (c.phase === 'held' && transferring.value) return t('transfer.inProgress');
      return null;
    }),
  };
  const transfer: Operation = {
    run: () => {
      transferOpen.value = true;
    },
    disabledReason: computed(() => {
      const c = activeCall.value;
      if (!c) return noCall();
      if (c.kind === 'transfer') return t('call.transferPending');
      if (!c.sid || (c.phase !== 'connected' && c.phase !== 'held')) return t('call.notConnected');
      if (transferring.value) return t('transfer.inProgress');
      if (consultPhase.value !== 'idle') return t('transfer.consultFirst');
      return null;
    }),
  };
  return { dialAnswer, hangUp: hangUpOp, hold, transfer };
}

/**
 * Drives the installed phone: its events, the operation menu, a call found live after a
 * reload. Returns the stop function (sign-out, leaving the operator screen).
 */
export function startCallControl(p: Phone): () => void {
  ph = p;
  phoneState.value = 'connecting';
  const unsubscribe = p.subscribe(onPhone);
  const unregister = registerOperations(operationsOf());
  // The operator's leg is out of a call that goes on: say how to get back.
  const stopRejoinNotice = effect(() => {
    if (needsRejoin.value) say('warn', t('call.needRejoin'));
  });
  void adoptCurrentCall();
  return () => {
    unsubscribe();
    unregister();
    stopRejoinNotice();
    stopFollowing();
    if (ph === p) ph = null;
    openLegs.clear();
    heardOn.clear();
    batch(() => {
      activeCall.value = null;
      myTransfer.value = null;
      handoff.value = null;
      consultOpen.value = false;
      transferOpen.value = false;
    });
    setMemoSaver(null);
  };
}
