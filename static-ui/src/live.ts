//! The live channel: one WebSocket to `/live` on the page's own origin (API Gateway's WebSocket
//! API behind CloudFront deployed, the local runtime's port locally), over which the server
//! pushes what changed instead of the page reading it over and over.
//!
//! Modules ask for topics with {@link follow} and hear messages with {@link onLive}; the channel
//! subscribes to the union of what they asked for. The ID token travels as a subprotocol
//! (`console.v1`, `bearer.<token>`), never in the URL (which is logged). After every
//! (re)subscription each follower's `resync` runs once — one read, since messages sent while the
//! channel was down are not replayed. A dropped channel reconnects with exponential back-off and
//! jitter; while it is down ({@link liveUp} false) the followers fall back to slow polling
//! ({@link FALLBACK_POLL_MS}) and the page says live updates are interrupted.
//!
//! `localStorage['console.live'] = 'off'` keeps the channel closed: the page then polls as it did
//! before there was one (for a network that blocks WebSockets, and as the bench's baseline).

import { signal } from '@preact/signals';
import { pollPenaltyMs } from './api/client';
import type { components } from './api/schema.gen';
import { currentToken } from './auth';

/** A message the server pushes. */
export type LiveMessage = components['schemas']['Message'];
/** What a page can subscribe to. */
export type Topic = components['schemas']['Topic'];

/** Where the channel is: not wanted, opening, up (subscribed), or down and reconnecting. */
export type LiveState = 'off' | 'connecting' | 'open' | 'down';

/** The channel's state. */
export const liveState = signal<LiveState>('off');
/** Whether pushed updates arrive now (otherwise followers poll slowly). */
export function liveUp(): boolean {
  return liveState.peek() === 'open';
}

/** How often followers read while the channel is down. */
export const FALLBACK_POLL_MS = 15_000;
/** The first reconnect waits about this long; each failure doubles it, up to {@link MAX_BACKOFF_MS}. */
const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;
/** A ping keeps the connection through API Gateway's 10-minute idle timeout. */
const PING_MS = 5 * 60_000;
/** How long a connection may take to open and subscribe before it is given up. */
const OPEN_TIMEOUT_MS = 10_000;

/** Whether this browser was told to keep the channel closed and poll instead. */
export function liveDisabled(): boolean {
  try {
    return localStorage.getItem('console.live') === 'off';
  } catch {
    return false;
  }
}

/** The subprotocol of this protocol's version. */
export const PROTOCOL = 'console.v1';

/** The channel's URL on the page's own origin. */
export function liveUrl(loc: { protocol: string; host: string } = location): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/live`;
}

/** The delay before reconnect attempt `attempt` (0 first): exponential, with full jitter. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const cap = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** Math.min(attempt, 16));
  return Math.round(cap / 2 + (random() * cap) / 2);
}

interface Follower {
  topics: Topic[];
  resync: () => void;
  /** Read by its module when it started following, and heard nothing missed since. */
  fresh: boolean;
}

const followers = new Set<Follower>();
/** The followers subscribed on the current connection (each resyncs once per connection). */
const synced = new Set<Follower>();
const listeners = new Set<(m: LiveMessage) => void>();

let socket: WebSocket | null = null;
let attempt = 0;
let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
let pingTimer: ReturnType<typeof setInterval> | null = null;
let openTimer: ReturnType<typeof setTimeout> | null = null;

function wanted(): Topic[] {
  return [...new Set([...followers].flatMap((f) => f.topics))].sort();
}

function send(data: unknown): void {
  if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(data));
}

function subscribe(): void {
  const topics = wanted();
  if (topics.length) send({ action: 'subscribe', topics });
}

function clearTimers(): void {
  if (pingTimer) clearInterval(pingTimer);
  if (openTimer) clearTimeout(openTimer);
  pingTimer = null;
  openTimer = null;
}

function scheduleReconnect(): void {
  if (reconnectTimer || followers.size === 0) return;
  liveState.value = 'down';
  reconnectTimer = setTimeout(() => {
    reconnectTimer = null;
    connect();
  }, backoffMs(attempt++));
}

function connect(): void {
  if (socket || followers.size === 0 || liveDisabled()) return;
  const token = currentToken();
  if (!token) {
    scheduleReconnect();
    return;
  }
  if (liveState.peek() !== 'down') liveState.value = 'connecting';
  let ws: WebSocket;
  try {
    ws = new WebSocket(liveUrl(), [PROTOCOL, `bearer.${token}`]);
  } catch {
    scheduleReconnect();
    return;
  }
  socket = ws;
  openTimer = setTimeout(() => ws.close(), OPEN_TIMEOUT_MS);
  ws.onopen = () => {
    subscribe();
    pingTimer = setInterval(() => send({ action: 'ping' }), PING_MS);
  };
  ws.onmessage = (e: MessageEvent) => {
    let m: LiveMessage;
    try {
      m = JSON.parse(String(e.data)) as LiveMessage;
    } catch {
      return;
    }
    if (m.type === 'subscribed') {
      if (openTimer) clearTimeout(openTimer);
      openTimer = null;
      attempt = 0;
      liveState.value = 'open';
      // One read for each follower that may have missed something: not the ones that have just
      // read for themselves, nor the ones already caught up on this connection.
      for (const f of [...followers]) {
        if (synced.has(f)) continue;
        synced.add(f);
        if (!f.fresh) f.resync();
        f.fresh = false;
      }
      return;
    }
    for (const l of [...listeners]) l(m);
  };
  ws.onclose = () => {
    if (socket !== ws) return;
    socket = null;
    synced.clear();
    for (const f of followers) f.fresh = false;
    clearTimers();
    if (followers.size === 0) {
      liveState.value = 'off';
      return;
    }
    scheduleReconnect();
  };
}

/**
 * Follows topics: the channel opens (if it is not open) and subscribes to them too. The caller
 * reads once itself when it starts following; `resync` runs once after each reconnection (a read
 * that catches up with what was missed while the channel was down). Returns the stop function;
 * the channel closes when nobody follows anything.
 */
export function follow(topics: Topic[], resync: () => void): () => void {
  const f: Follower = { topics, resync, fresh: true };
  followers.add(f);
  if (socket) subscribe();
  else if (!reconnectTimer) connect();
  return () => {
    followers.delete(f);
    synced.delete(f);
    if (followers.size > 0) {
      subscribe();
      return;
    }
    if (reconnectTimer) clearTimeout(reconnectTimer);
    reconnectTimer = null;
    attempt = 0;
    clearTimers();
    const ws = socket;
    socket = null;
    ws?.close();
    liveState.value = 'off';
  };
}

/** Hears every pushed message; returns the function that stops hearing. */
export function onLive(listener: (m: LiveMessage) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Calls `read` every {@link FALLBACK_POLL_MS} while the channel is down (not while it is up or
 * opening), and every `offEveryMs` when it is kept closed ({@link liveDisabled}), if given;
 * each wait is longer while the API answers 429 ({@link pollPenaltyMs}). Returns the stop
 * function.
 */
export function pollWhileDown(read: () => void, offEveryMs?: number): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const tick = () => {
    const off = liveState.peek() === 'off' && liveDisabled();
    if (liveState.peek() === 'down' || (off && offEveryMs !== undefined)) read();
    timer = setTimeout(tick, (off && offEveryMs !== undefined ? offEveryMs : FALLBACK_POLL_MS) + pollPenaltyMs());
  };
  timer = setTimeout(tick, liveDisabled() && offEveryMs !== undefined ? offEveryMs : FALLBACK_POLL_MS);
  return () => {
    if (timer) clearTimeout(timer);
  };
}
