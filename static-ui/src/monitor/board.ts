//! The board as the page shows it: read every {@link POLL_MS} while the tab is visible (and at
//! once when it becomes visible again), one request at a time, the previous board kept on
//! screen while the next one loads or when a read fails. Durations are counted from the server's
//! clock: {@link serverNow} corrects this browser's clock by the offset the last read showed.

import { computed, signal } from '@preact/signals';
import { ApiError } from '../api/client';
import { errorText } from '../api/errors';
import { now } from '../state/clock';
import type { Board } from './api';
import { getBoard } from './api';

/**
 * Start-to-start period of the reads. The memo must show within about two seconds of the
 * operator typing it; the operator's page saves it 0.8 s after typing stops, so the board is
 * read a little more often than every two seconds.
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

async function read(): Promise<void> {
  if (!running || inFlight) return;
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
    board.value = b;
    boardReadAt.value = received;
    boardError.value = null;
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
  schedule(Math.max(0, POLL_MS - (Date.now() - started)));
}

function schedule(ms: number): void {
  if (timer) clearTimeout(timer);
  timer = null;
  if (!running || document.visibilityState !== 'visible') return;
  timer = setTimeout(() => void read(), ms);
}

function onVisibility(): void {
  if (document.visibilityState === 'visible') void read();
  else if (timer) {
    clearTimeout(timer);
    timer = null;
  }
}

/** Reads the board now and then every {@link POLL_MS} while the tab is visible. */
export function startPolling(): void {
  if (running) return;
  running = true;
  boardForbidden.value = false;
  document.addEventListener('visibilitychange', onVisibility);
  void read();
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
  timer = null;
  inFlight?.abort();
  inFlight = null;
}

/** Reads the board at once (after the supervisor joined or left a call), then on schedule. */
export function refreshBoard(): void {
  if (!running) return;
  if (inFlight) return;
  if (timer) clearTimeout(timer);
  timer = null;
  void read();
}
