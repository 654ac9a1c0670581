//! The board as the page shows it: read once, then kept current by what the live channel pushes
//! (an operator's row, a call, a memo as it is saved) — read again only when the channel says the
//! queue or the figures changed, when a row's call came or went, after each reconnection, and
//! slowly while the channel is down. Before the channel first opens (or without one) it is read
//! every {@link POLL_MS} while the tab is visible. One request at a time; the previous board stays
//! on screen while the next one loads or when a read fails. Durations are counted from the
//! server's clock: {@link serverNow} corrects this browser's clock by the offset the last read
//! showed.

import { computed, signal } from '@preact/signals';
import { ApiError } from '../api/client';
import { errorText } from '../api/errors';
import type { LiveMessage } from '../live';
import { follow, liveState, onLive, pollWhileDown } from '../live';
import { now } from '../state/clock';
import type { Board, BoardCall, BoardOperator } from './api';
import { getBoard } from './api';

/**
 * Start-to-start period of the reads while there is no live channel (before it first opens):
 * the memo must show within about two seconds of the operator typing it.
 */
export const POLL_MS = 1500;

/** The last board read; `null` until the first answer. */
export const board = signal<Board | null>(null);
/** Why the last read failed (the board on screen is then older); `null` after a good read. */
export const boardError = signal<string | null>(null);
/** The API refused the board (the user is not a supervisor). */
export const boardForbidden = signal(false);
/** When the board on screen was read, on this browser's clock (ms). */
export const boardReadAt = signal<number | null>(null);
/** The server's clock minus this browser's, from the last read (ms). */
const skewMs = signal(0);

/** Now on the server's clock (ms since the epoch), ticking with the page's clock. */
export const serverNow = computed(() => now.value + skewMs.value);

/** Seconds from an RFC 3339 time to now (server clock); `null` when there is no time. */
export function secondsSince(iso: string | undefined | null): number | null {
  if (!iso) return null;
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.floor((serverNow.value - at) / 1000));
}

let timer: ReturnType<typeof setTimeout> | null = null;
let inFlight: AbortController | null = null;
let running = false;
/** A read was asked for while one was under way: read again when it ends. */
let again = false;
/** A re-read asked for by a pushed change, gathered over {@link SETTLE_MS}. */
let soonTimer: ReturnType<typeof setTimeout> | null = null;
/** Reads the board when the first wrap-up on it runs out (the server ends it without a write). */
let wrapUpTimer: ReturnType<typeof setTimeout> | null = null;
let stopLive: (() => void) | null = null;

/** Changes pushed within this long of each other cost one read. */
const SETTLE_MS = 200;

async function read(): Promise<void> {
  if (!running) return;
  if (inFlight) {
    again = true;
    return;
  }
  again = false;
  const controller = new AbortController();
  inFlight = controller;
  const started = Date.now();
  try {
    const b = await getBoard(controller.signal);
    if (!running) return;
    const received = Date.now();
    const at = Date.parse(b.at);
    // The server read the board somewhere between sending and receiving: take the middle.
    if (!Number.isNaN(at)) skewMs.value = at - (started + received) / 2;
    board.value = mergeRead(board.peek(), b);
    boardReadAt.value = received;
    boardError.value = null;
    watchWrapUps(b);
  } catch (e) {
    if (controller.signal.aborted) return;
    if (e instanceof ApiError && e.status === 403) {
      boardForbidden.value = true;
      stopPolling();
      return;
    }
    boardError.value = errorText(e);
  } finally {
    if (inFlight === controller) inFlight = null;
  }
  if (again) {
    void read();
    return;
  }
  schedule(Math.max(0, POLL_MS - (Date.now() - started)));
}

/** Polls on {@link POLL_MS} only until the live channel is up (its fallback polls while down). */
function schedule(ms: number): void {
  if (timer) clearTimeout(timer);
  timer = null;
  if (!running || document.visibilityState !== 'visible') return;
  const live = liveState.peek();
  if (live === 'open' || live === 'down') return;
  timer = setTimeout(() => void read(), ms);
}

/** Reads the board once, a moment after a pushed change that cannot be applied in place. */
function soon(): void {
  if (!running || soonTimer) return;
  soonTimer = setTimeout(() => {
    soonTimer = null;
    void read();
  }, SETTLE_MS);
}

function watchWrapUps(b: Board): void {
  if (wrapUpTimer) clearTimeout(wrapUpTimer);
  wrapUpTimer = null;
  const ends = b.operators
    .filter((o) => o.status === 'wrap_up' && o.wrap_up_until)
    .map((o) => Date.parse(o.wrap_up_until ?? ''))
    .filter((t) => !Number.isNaN(t));
  if (!ends.length) return;
  const first = Math.min(...ends);
  wrapUpTimer = setTimeout(soon, Math.max(0, first - Date.now()) + 500);
}

/**
 * The board a read shows, given the board on screen: a read and a push can cross (the read was
 * answered before a change the channel then pushed), so an operator's row keeps what is shown
 * when the shown row's version is newer than the read's, and a call keeps a memo whose version is
 * newer. Who is on the board, the queue and the figures are the read's.
 */
export function mergeRead(shown: Board | null, read: Board): Board {
  if (!shown) return read;
  const rows = new Map(shown.operators.map((o) => [o.id, o]));
  const operators = read.operators.map((o) => {
    const row = rows.get(o.id);
    if (!row) return o;
    if (row.version > o.version) return row;
    const memo = row.call;
    if (!o.call || !memo || memo.sid !== o.call.sid || (memo.memo_version ?? 0) <= (o.call.memo_version ?? 0)) return o;
    return {
      ...o,
      call: {
        ...o.call,
        memo: memo.memo,
        response_status: memo.response_status,
        memo_updated_at: memo.memo_updated_at,
        memo_version: memo.memo_version,
      },
    };
  });
  return { ...read, operators };
}

/** Applies a pushed change to the board on screen (or asks for a read when it cannot). */
export function applyPushed(m: LiveMessage): void {
  const b = board.peek();
  if (!b) return;
  let operators: BoardOperator[] = b.operators;
  switch (m.type) {
    case 'board_row_changed': {
      const op = m.operator;
      const row = operators.find((o) => o.id === op.id);
      // A push older than the row shown (a read answered after a later write) changes nothing.
      if (row && op.version < row.version) return;
      if (!row || (row.current_call ?? null) !== (op.current_call ?? null)) soon();
      if (!row) return;
      const call = row.current_call === op.current_call ? row.call : undefined;
      // 外部転送 shown beside a wrap-up stays while the wrap-up follows the same call.
      const external = op.status === 'wrap_up' && op.wrap_up_call && op.wrap_up_call === row.wrap_up_call ? row.external : undefined;
      const next: BoardOperator = { ...(op as unknown as BoardOperator), call, external };
      if (!external && op.status === 'wrap_up' && op.wrap_up_call && !op.current_call) soon();
      operators = operators.map((o) => (o.id === op.id ? next : o));
      break;
    }
    case 'board_call_changed': {
      const pushed = m.call as unknown as BoardCall;
      let matched = false;
      operators = operators.map((o) => {
        if (o.current_call !== pushed.sid) return o;
        matched = true;
        const memo = o.call?.sid === pushed.sid ? o.call : undefined;
        return {
          ...o,
          call: {
            ...pushed,
            memo: memo?.memo ?? '',
            response_status: memo?.response_status,
            memo_updated_at: memo?.memo_updated_at,
            memo_version: memo?.memo_version,
          },
        };
      });
      if (m.ended || (!matched && m.operators.some((id) => b.operators.some((o) => o.id === id)))) soon();
      break;
    }
    case 'memo_changed': {
      const memo = m.memo;
      operators = operators.map((o) =>
        o.call?.sid === memo.call && (o.call.memo_version ?? 0) <= memo.version
          ? {
              ...o,
              call: {
                ...o.call,
                memo: memo.text,
                response_status: memo.response_status ?? undefined,
                memo_updated_at: memo.updated_at ?? undefined,
                memo_version: memo.version,
              },
            }
          : o,
      );
      break;
    }
    case 'board_changed':
      soon();
      return;
    default:
      return;
  }
  board.value = { ...b, operators };
  watchWrapUps(board.value);
}

function onVisibility(): void {
  if (document.visibilityState === 'visible') void read();
  else if (timer) {
    clearTimeout(timer);
    timer = null;
  }
}

/** Reads the board now, follows it on the live channel, and polls until the channel is up. */
export function startPolling(): void {
  if (running) return;
  running = true;
  boardForbidden.value = false;
  document.addEventListener('visibilitychange', onVisibility);
  void read();
  const stopFollow = follow(['board'], () => void read());
  const stopHearing = onLive(applyPushed);
  const stopFallback = pollWhileDown(() => void read());
  stopLive = () => {
    stopFallback();
    stopHearing();
    stopFollow();
  };
}

/** Stops reading; `forget` clears what was read (the page is left, or the user signed out). */
export function stopPolling(forget = false): void {
  running = false;
  if (forget) {
    board.value = null;
    boardError.value = null;
    boardReadAt.value = null;
  }
  document.removeEventListener('visibilitychange', onVisibility);
  if (timer) clearTimeout(timer);
  if (soonTimer) clearTimeout(soonTimer);
  if (wrapUpTimer) clearTimeout(wrapUpTimer);
  timer = null;
  soonTimer = null;
  wrapUpTimer = null;
  again = false;
  stopLive?.();
  stopLive = null;
  inFlight?.abort();
  inFlight = null;
}

/**
 * Reads the board at once (after the supervisor joined or left a call), then on schedule. A read
 * under way may have been answered before the change: it is read once more after it.
 */
export function refreshBoard(): void {
  if (!running) return;
  if (inFlight) {
    again = true;
    return;
  }
  if (timer) clearTimeout(timer);
  timer = null;
  void read();
}
