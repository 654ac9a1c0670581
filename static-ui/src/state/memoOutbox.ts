//! Memos typed on this page that the server does not have yet (保存待ち). A save that fails for a
//! reason that passes (the network, a 429 or 5xx, a 409 that is not a stale version) leaves the
//! memo here, kept per call in localStorage under the signed-in operator, so neither the next
//! call's memo, a reload nor a closed tab drops it; it is tried again with back-off until it is
//! stored. A save the server refuses for good (the call went to someone else, the memo is too
//! long) and a memo someone else changed meanwhile stay too, for the operator to settle.
//!
//! The memo on screen (`memo.ts`) retries its own call's save; this module retries the others
//! ({@link startMemoOutbox}) and remembers them all.

import { computed, signal } from '@preact/signals';
import { ApiError } from '../api/client';
import { errorText } from '../api/errors';

/** What a saver sends. */
export interface MemoDraft {
  callSid: string | null;
  text: string;
  responseStatus: string | null;
  /** The version this draft is based on (0 for a memo never saved). */
  version: number;
  /** The response status differs from that version's (the server then writes it at once). */
  changesStatus?: boolean;
}

/** The server's memo (after a save, or the current one in a conflict). */
export interface MemoVersion {
  text: string;
  responseStatus: string | null;
  version: number;
}

/** A saver rejects with this (or an {@link ApiError} 409 whose `current` is a memo) when stale. */
export class MemoConflictError extends Error {
  constructor(readonly current: MemoVersion) {
    super('memo conflict');
  }
}

/** How a save is sent: `keepalive` when the page is being left (the request outlives it). */
export interface MemoSendOptions {
  keepalive?: boolean;
}

/** Saves a draft; resolves with the saved version. */
export type MemoSaver = (draft: MemoDraft, opts?: MemoSendOptions) => Promise<MemoVersion>;

/** What became of a save that did not resolve. */
export type SaveFailure =
  /** It had landed before (a repeat refused as stale carries the very same memo). */
  | { kind: 'stored'; version: number }
  /** Someone else saved another memo meanwhile. */
  | { kind: 'conflict'; current: MemoVersion }
  /** It may go through later: try again. */
  | { kind: 'transient'; message: string }
  /** The server will not take it as it is. */
  | { kind: 'refused'; message: string };

function memoOfConflict(e: unknown): MemoVersion | null {
  if (e instanceof MemoConflictError) return e.current;
  if (e instanceof ApiError && e.status === 409 && e.code === 'stale_version' && e.current && typeof e.current === 'object') {
    const c = e.current as { text?: unknown; memo?: unknown; response_status?: unknown; version?: unknown };
    const text = typeof c.text === 'string' ? c.text : typeof c.memo === 'string' ? c.memo : '';
    return {
      text,
      responseStatus: typeof c.response_status === 'string' ? c.response_status : null,
      version: typeof c.version === 'number' ? c.version : 0,
    };
  }
  return null;
}

/** Reads why a save of `draft` failed. */
export function saveFailure(e: unknown, draft: Pick<MemoDraft, 'text' | 'responseStatus'>): SaveFailure {
  const current = memoOfConflict(e);
  if (current) {
    return current.text === draft.text && current.responseStatus === draft.responseStatus
      ? { kind: 'stored', version: current.version }
      : { kind: 'conflict', current };
  }
  if (e instanceof ApiError) {
    // A 409 that is not a stale version is another write on the call at that moment; a 401 is
    // a sign-in that ran out (the save goes through once the operator signs in again).
    const passing = e.isTransient || e.status === 409 || e.status === 401 || e.status === 408 || e.status >= 500;
    return { kind: passing ? 'transient' : 'refused', message: errorText(e) };
  }
  return { kind: 'refused', message: errorText(e) };
}

/** A memo not stored yet. */
export interface PendingMemo {
  callSid: string;
  text: string;
  responseStatus: string | null;
  /** The version the text is based on. */
  version: number;
  /** Tried again by itself, refused until the operator acts, or changed by someone else. */
  state: 'waiting' | 'refused' | 'conflict';
  /** Why the last try failed. */
  error: string | null;
  /** The server's memo, in a conflict. */
  theirs: MemoVersion | null;
  /** Failed tries so far (the back-off grows with them). */
  tries: number;
  /** When it is tried again (ms since the epoch). */
  nextAt: number;
  /** When it was first kept. */
  since: number;
}

/** The memos not stored yet, oldest first. */
export const pendingMemos = signal<PendingMemo[]>([]);

/** The first retry waits up to this long; each further one up to twice as long. */
const FIRST_RETRY_MS = 2000;
const MAX_RETRY_MS = 60_000;
/** Never sooner than this, whatever the jitter draws. */
const MIN_RETRY_MS = 500;
const STORAGE_PREFIX = 'console.memo.pending.';

/** What the outbox uses of the world (tests replace it). */
export const outboxWorld = {
  now: () => Date.now(),
  random: Math.random,
};

/** The wait before the next try after `tries` failed ones: full jitter, capped at a minute. */
export function pendingRetryMs(tries: number, random: () => number = outboxWorld.random): number {
  const cap = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.min(Math.max(tries - 1, 0), 10));
  return Math.max(MIN_RETRY_MS, Math.floor(random() * cap));
}

/** Whose memos these are (the storage key); the last operator signed in on this page. */
let owner: string | null = null;
/** The call whose memo is on screen (its saves are that module's). */
let onScreen: string | null = null;
let saver: MemoSaver | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;
let flushing = false;

function storageKey(who: string): string {
  return `${STORAGE_PREFIX}${who}`;
}

function read(who: string): PendingMemo[] {
  try {
    const raw = localStorage.getItem(storageKey(who));
    if (!raw) return [];
    const list = JSON.parse(raw) as unknown;
    if (!Array.isArray(list)) return [];
    return list.filter(
      (p): p is PendingMemo =>
        !!p && typeof p === 'object' && typeof (p as PendingMemo).callSid === 'string' && typeof (p as PendingMemo).text === 'string',
    );
  } catch {
    return [];
  }
}

function write(list: PendingMemo[]): void {
  pendingMemos.value = [...list].sort((a, b) => a.since - b.since);
  if (!owner) return;
  try {
    if (list.length) localStorage.setItem(storageKey(owner), JSON.stringify(pendingMemos.peek()));
    else localStorage.removeItem(storageKey(owner));
  } catch {
    /* storage full or refused: they stay in this page */
  }
}

function update(callSid: string, fn: (p: PendingMemo | undefined) => PendingMemo | null): PendingMemo | null {
  const list = pendingMemos.peek();
  const before = list.find((p) => p.callSid === callSid);
  const after = fn(before);
  write([...list.filter((p) => p.callSid !== callSid), ...(after ? [after] : [])]);
  schedule();
  return after;
}

/** The pending memo of a call, if any. */
export function pendingFor(callSid: string | null): PendingMemo | undefined {
  return callSid ? pendingMemos.peek().find((p) => p.callSid === callSid) : undefined;
}

const onScreenSid = signal<string | null>(null);

/** The pending memos of calls other than the one on screen. */
export const pendingElsewhere = computed(() => pendingMemos.value.filter((p) => p.callSid !== onScreenSid.value));

/** Tells the outbox which call's memo is on screen (its retries are the memo module's). */
export function setMemoOnScreen(callSid: string | null): void {
  onScreen = callSid;
  onScreenSid.value = callSid;
  schedule();
}

/**
 * Keeps a memo that did not reach the server. `failure` says why: a transient one is tried
 * again after a back-off that grows with each failure; the others wait for the operator.
 * Returns the entry kept.
 */
export function keepPending(
  draft: { callSid: string; text: string; responseStatus: string | null; version: number },
  failure: { state: PendingMemo['state']; error?: string | null; theirs?: MemoVersion | null; failed?: boolean },
): PendingMemo {
  const now = outboxWorld.now();
  return update(draft.callSid, (before) => {
    const tries = (before?.tries ?? 0) + (failure.failed === false ? 0 : 1);
    return {
      callSid: draft.callSid,
      text: draft.text,
      responseStatus: draft.responseStatus,
      version: draft.version,
      state: failure.state,
      error: failure.error ?? before?.error ?? null,
      theirs: failure.theirs ?? null,
      tries,
      nextAt: failure.state === 'waiting' ? now + pendingRetryMs(tries) : Number.MAX_SAFE_INTEGER,
      since: before?.since ?? now,
    };
  }) as PendingMemo;
}

/** The text of a call's pending memo changed on screen (kept, not tried any sooner). */
export function pendingTyped(callSid: string | null, text: string, responseStatus: string | null): void {
  if (!pendingFor(callSid) || !callSid) return;
  update(callSid, (p) => (p ? { ...p, text, responseStatus } : null));
}

/**
 * A save of `sent` for this call was stored as `version`: the pending memo goes, unless what it
 * holds was typed after `sent` (then it stays, based on the new version, and is tried soon).
 */
export function memoStored(callSid: string, sent: { text: string; responseStatus: string | null }, version: number): void {
  update(callSid, (p) => {
    if (!p || (p.text === sent.text && p.responseStatus === sent.responseStatus)) return null;
    return { ...p, version, state: 'waiting', nextAt: outboxWorld.now() };
  });
}

/** Forgets a call's pending memo (the operator discarded it). */
export function dropPending(callSid: string): void {
  update(callSid, () => null);
}

/** Tries every pending memo again now (refused ones too: the reason may have gone). */
export function retryPendingNow(): void {
  const now = outboxWorld.now();
  write(
    pendingMemos.peek().map((p) => (p.state === 'conflict' ? p : { ...p, state: 'waiting' as const, nextAt: now })),
  );
  schedule();
}

/** Saves my memo over the one someone else saved (a conflict settled as 自分の内容で上書き). */
export function overwritePending(callSid: string): void {
  update(callSid, (p) =>
    p && p.theirs ? { ...p, version: p.theirs.version, theirs: null, state: 'waiting', nextAt: outboxWorld.now() } : p ?? null,
  );
}

async function tryOne(p: PendingMemo, save: MemoSaver): Promise<void> {
  const sent = { text: p.text, responseStatus: p.responseStatus };
  try {
    const saved = await save({ callSid: p.callSid, ...sent, version: p.version });
    memoStored(p.callSid, sent, saved.version);
  } catch (e) {
    const f = saveFailure(e, sent);
    // Typed on screen meanwhile (the call came back): that text is kept, not this try's.
    const now = pendingFor(p.callSid) ?? p;
    if (f.kind === 'stored') memoStored(p.callSid, sent, f.version);
    else if (f.kind === 'conflict') keepPending(now, { state: 'conflict', theirs: f.current, error: null });
    else keepPending(now, { state: f.kind === 'transient' ? 'waiting' : 'refused', error: f.message });
  }
}

/** Tries the pending memos that are due, one at a time (not the one on screen). */
export async function flushPending(): Promise<void> {
  const save = saver;
  if (!save || flushing) return;
  flushing = true;
  try {
    for (;;) {
      const now = outboxWorld.now();
      const due = pendingMemos.peek().find((p) => p.state === 'waiting' && p.nextAt <= now && p.callSid !== onScreen);
      if (!due || saver !== save) break;
      await tryOne(due, save);
    }
  } finally {
    flushing = false;
    schedule();
  }
}

function schedule(): void {
  if (timer) clearTimeout(timer);
  timer = null;
  if (!saver || flushing) return;
  const next = pendingMemos
    .peek()
    .filter((p) => p.state === 'waiting' && p.callSid !== onScreen)
    .reduce((a, p) => Math.min(a, p.nextAt), Number.POSITIVE_INFINITY);
  if (next === Number.POSITIVE_INFINITY) return;
  timer = setTimeout(() => void flushPending(), Math.max(0, next - outboxWorld.now()));
}

/**
 * Starts keeping `who`'s memos: loads the ones kept in this browser (with any kept before the
 * sign-in was known) and tries them with `save` as they fall due; returns the stop function
 * (they stay kept, and are tried again when this operator is back).
 */
export function startMemoOutbox(who: string, save: MemoSaver): () => void {
  const here = owner === who || owner === null ? pendingMemos.peek() : [];
  owner = who;
  const stored = read(who);
  const merged = [...stored.filter((s) => !here.some((h) => h.callSid === s.callSid)), ...here];
  saver = save;
  write(merged);
  schedule();
  return () => {
    if (saver !== save) return;
    saver = null;
    if (timer) clearTimeout(timer);
    timer = null;
  };
}

/** Forgets everything (tests). */
export function resetMemoOutbox(): void {
  if (timer) clearTimeout(timer);
  timer = null;
  saver = null;
  owner = null;
  onScreen = null;
  onScreenSid.value = null;
  flushing = false;
  pendingMemos.value = [];
}
