//! The supervisor's own part in a call: the softphone the monitor page starts (the same `Phone`
//! the operator page uses — the Twilio Voice SDK deployed, the simulator locally) and the one
//! call it is listening to, whispering on or barging into.
//!
//! Joining is a request (`POST /api/monitor/calls/{call}`) after which the server rings this
//! phone with the custom parameters `callSid` and `monitor`; such a ring is answered at once,
//! with no dialog. Switching mode is the same request while connected. Leaving is `DELETE`; the
//! leg ends and the phone reports it. One call at a time: joining another call leaves the first.

import { signal } from '@preact/signals';
import { ApiError } from '../api/client';
import { errorText } from '../api/errors';
import { currentToken } from '../auth';
import { apiBase, config } from '../config';
import { t } from '../i18n';
import { startPhone } from '../phone';
import type { Phone, PhoneEvent } from '../state/phone';
import type { MonitorMode } from './api';
import { joinCall, leaveCall, leavePath } from './api';
import { refreshBoard } from './board';

/** Where the supervisor's phone is. */
export type PhoneStatus = 'starting' | 'ready' | 'lost' | 'none' | 'failed';

/**
 * The call being monitored. `requesting`: the join request is on its way; `ringing`: the server
 * rings this phone (answered automatically); `connected`: on the call in `mode`; `switching`:
 * changing to `next`; `leaving`: the leave request was sent, the leg is ending.
 */
export interface MonitorSession {
  call: string;
  mode: MonitorMode;
  phase: 'requesting' | 'ringing' | 'connected' | 'switching' | 'leaving';
  /** This phone's leg, once it rang. */
  leg: string | null;
  next?: MonitorMode;
}

/** Something to tell the supervisor, about one call or the page. */
export interface MonitorNotice {
  call: string | null;
  kind: 'error' | 'info';
  text: string;
}

export const phoneStatus = signal<PhoneStatus>('none');
/** Why the phone is not ready (shown beside its status). */
export const phoneDetail = signal<string | null>(null);
export const monitorSession = signal<MonitorSession | null>(null);
export const monitorNotice = signal<MonitorNotice | null>(null);

/** The server rings for at most 30 s; a ring that never reached this phone is given up after. */
const RING_TIMEOUT_MS = 35_000;
/** A leave whose leg the phone never reports as ended is closed here after this long. */
const LEAVE_TIMEOUT_MS = 8_000;

let phone: Phone | null = null;
let unsubscribe: (() => void) | null = null;
let ringTimer: ReturnType<typeof setTimeout> | null = null;
let leaveTimer: ReturnType<typeof setTimeout> | null = null;
let generation = 0;
/** Calls left before their ring arrived: the ring is declined. */
const givenUp = new Set<string>();

/** Information goes away by itself after this long; errors stay until the next action. */
const INFO_MS = 8000;
let noticeTimer: ReturnType<typeof setTimeout> | null = null;

function tell(call: string | null, kind: MonitorNotice['kind'], text: string): void {
  const notice = { call, kind, text };
  monitorNotice.value = notice;
  if (noticeTimer) clearTimeout(noticeTimer);
  noticeTimer =
    kind === 'info'
      ? setTimeout(() => {
          if (monitorNotice.peek() === notice) monitorNotice.value = null;
        }, INFO_MS)
      : null;
}

function clearTimers(): void {
  if (ringTimer) clearTimeout(ringTimer);
  if (leaveTimer) clearTimeout(leaveTimer);
  ringTimer = null;
  leaveTimer = null;
}

function ended(text: string | null, kind: MonitorNotice['kind'] = 'info'): void {
  const s = monitorSession.peek();
  clearTimers();
  monitorSession.value = null;
  if (s && text) tell(s.call, kind, text);
  refreshBoard();
}

function update(patch: Partial<MonitorSession>): void {
  const s = monitorSession.peek();
  if (s) monitorSession.value = { ...s, ...patch };
}

function isMode(v: string | undefined): v is MonitorMode {
  return v === 'listen' || v === 'whisper' || v === 'barge';
}

function onPhone(e: PhoneEvent): void {
  const s = monitorSession.peek();
  switch (e.type) {
    case 'registered':
      phoneStatus.value = 'ready';
      phoneDetail.value = null;
      break;
    case 'unregistered':
      phoneStatus.value = 'lost';
      phoneDetail.value = e.reason;
      break;
    case 'incoming': {
      const mode = e.params.monitor;
      const call = e.params.callSid;
      // Calls for the operator screen (a transfer to this user, say) are not answered here.
      if (!isMode(mode) || !call) return;
      if (s && s.call === call && s.phase !== 'leaving') {
        update({ leg: e.leg, phase: s.phase === 'requesting' ? 'ringing' : s.phase });
      } else {
        // A ring this page gave up before it came is declined; one another page of this user
        // (another tab) asked for is left for that page to answer.
        if (givenUp.delete(call)) {
          try {
            phone?.reject(e.leg);
          } catch {
            /* it stops ringing by itself */
          }
        }
        return;
      }
      const failed = (err: unknown) => ended(t('monitor.acceptFailed', { detail: errorText(err) }), 'error');
      try {
        phone?.accept(e.leg).catch(failed);
      } catch (err) {
        failed(err);
      }
      break;
    }
    case 'accepted':
      if (s && s.leg === e.leg) {
        if (ringTimer) clearTimeout(ringTimer);
        ringTimer = null;
        if (s.phase === 'ringing' || s.phase === 'requesting') update({ phase: 'connected' });
        monitorNotice.value = null;
        refreshBoard();
      }
      break;
    case 'cancelled':
      if (s && s.leg === e.leg) ended(t('monitor.ringCancelled'), 'error');
      break;
    case 'disconnected':
      if (s && s.leg === e.leg) ended(s.phase === 'leaving' ? t('monitor.left') : t('monitor.callEnded'));
      break;
    case 'error':
      if (s && (!e.leg || e.leg === s.leg)) tell(s.call, 'error', t('monitor.phoneError', { detail: e.message }));
      else phoneDetail.value = e.message;
      break;
    case 'heard':
      break;
  }
}

/** Starts the supervisor's softphone (once per visit of the page). */
export function startMonitorPhone(): void {
  const cfg = config.peek();
  if (!cfg || phone || phoneStatus.peek() === 'starting') return;
  const mine = ++generation;
  phoneStatus.value = 'starting';
  phoneDetail.value = null;
  startPhone(cfg)
    .then((p) => {
      if (mine !== generation) {
        p?.destroy();
        return;
      }
      if (!p) {
        phoneStatus.value = 'none';
        return;
      }
      phone = p;
      unsubscribe = p.subscribe(onPhone);
    })
    .catch((e: unknown) => {
      if (mine !== generation) return;
      phoneStatus.value = 'failed';
      phoneDetail.value = errorText(e);
    });
}

/**
 * Leaves the page: the call being monitored is left (with a request that outlives the page when
 * it is closing) and the phone released.
 */
export function stopMonitorPhone(unloading = false): void {
  generation++;
  const s = monitorSession.peek();
  if (s) {
    if (unloading) leaveWhileUnloading(s.call);
    else leaveCall(s.call).catch(() => undefined);
    if (s.leg) {
      try {
        phone?.disconnect(s.leg);
      } catch {
        /* the phone is gone already */
      }
    }
  }
  clearTimers();
  monitorSession.value = null;
  monitorNotice.value = null;
  unsubscribe?.();
  unsubscribe = null;
  phone?.destroy();
  phone = null;
  phoneStatus.value = 'none';
  phoneDetail.value = null;
}

function leaveWhileUnloading(call: string): void {
  const token = currentToken();
  if (!token) return;
  void fetch(`${apiBase()}${leavePath(call)}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${token}` },
    keepalive: true,
  }).catch(() => undefined);
}

/** Listens to, whispers on or barges into `call`; switches mode when already on it. */
export async function monitorCall(call: string, mode: MonitorMode): Promise<void> {
  monitorNotice.value = null;
  if (phoneStatus.peek() !== 'ready') {
    tell(call, 'error', t('monitor.phoneNotReady'));
    return;
  }
  const s = monitorSession.peek();
  if (s && s.call !== call) {
    const left = await leaveMonitoredCall(s.call);
    if (!left) return;
  }
  const current = monitorSession.peek();
  if (current && current.call === call) {
    if (current.phase !== 'connected' || current.mode === mode) return;
    update({ phase: 'switching', next: mode });
    try {
      await joinCall(call, mode);
      const after = monitorSession.peek();
      if (after?.call === call && after.phase === 'switching') {
        monitorSession.value = { call, mode, phase: 'connected', leg: after.leg };
      }
      refreshBoard();
    } catch (e) {
      const after = monitorSession.peek();
      if (after?.call === call && after.phase === 'switching') {
        monitorSession.value = { call, mode: after.mode, phase: 'connected', leg: after.leg };
      }
      tell(call, 'error', errorText(e));
    }
    return;
  }
  monitorSession.value = { call, mode, phase: 'requesting', leg: null };
  try {
    await joinCall(call, mode);
    const after = monitorSession.peek();
    if (after?.call === call && after.phase === 'requesting') update({ phase: 'ringing' });
    if (ringTimer) clearTimeout(ringTimer);
    ringTimer = setTimeout(() => {
      const now = monitorSession.peek();
      if (now?.call === call && (now.phase === 'ringing' || now.phase === 'requesting')) {
        ended(t('monitor.ringTimeout'), 'error');
        leaveCall(call).catch(() => undefined);
      }
    }, RING_TIMEOUT_MS);
  } catch (e) {
    const after = monitorSession.peek();
    if (after?.call === call && after.phase === 'requesting') monitorSession.value = null;
    tell(call, 'error', errorText(e));
  }
}

/** Leaves `call`; resolves `true` once the request was accepted (the leg then ends). */
export async function leaveMonitoredCall(call: string): Promise<boolean> {
  const s = monitorSession.peek();
  if (!s || s.call !== call) return true;
  if (s.phase === 'leaving') return true;
  const before = s.phase;
  update({ phase: 'leaving' });
  if (!s.leg) givenUp.add(call);
  try {
    await leaveCall(call);
  } catch (e) {
    if (e instanceof ApiError && (e.code === 'call_ended' || e.status === 404)) {
      hangUpLeg(call);
      return true;
    }
    const after = monitorSession.peek();
    if (after?.call === call && after.phase === 'leaving') update({ phase: before });
    tell(call, 'error', t('monitor.leaveFailed', { detail: errorText(e) }));
    return false;
  }
  const after = monitorSession.peek();
  if (!after || after.call !== call) return true;
  if (!after.leg) {
    // It never rang here: nothing to wait for.
    ended(t('monitor.left'));
    return true;
  }
  if (leaveTimer) clearTimeout(leaveTimer);
  leaveTimer = setTimeout(() => hangUpLeg(call), LEAVE_TIMEOUT_MS);
  return true;
}

/** Ends this phone's leg of `call` and forgets the session. */
function hangUpLeg(call: string): void {
  const s = monitorSession.peek();
  if (!s || s.call !== call) return;
  if (s.leg) {
    try {
      phone?.disconnect(s.leg);
    } catch {
      /* the leg is gone already */
    }
  }
  ended(t('monitor.left'));
}
