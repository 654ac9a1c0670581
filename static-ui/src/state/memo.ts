//! The conversation memo (会話メモ) and its response status (対応ステータス): the text, an undo
//! history of its own (Ctrl+Z and Ctrl+X insert labels instead of undoing and cutting), and the
//! save state shown by the indicator. The call layer (state/call.ts) installs the memos API with
//! {@link setMemoSaver} while the memo belongs to a call of this operator; otherwise the memo
//! lives in this page only (and survives a reload).
//!
//! A save that fails for a reason that passes is kept in the outbox (`memoOutbox.ts`, per call,
//! in localStorage) and tried again with back-off; the indicator says 保存待ち. The next call's
//! memo does not overwrite it: {@link resetMemo} hands whatever is not stored of the memo it
//! replaces to the outbox, which goes on trying it. A stale version (someone else saved) is a
//! conflict for the operator to settle, as before.

import { computed, signal } from '@preact/signals';
import { ApiError } from '../api/client';
import type { MemoDraft, MemoSaver, MemoSendOptions, MemoVersion } from './memoOutbox';
import { keepPending, memoStored, pendingFor, pendingTyped, saveFailure, setMemoOnScreen } from './memoOutbox';

export { MemoConflictError } from './memoOutbox';
export type { MemoDraft, MemoSaver, MemoSendOptions, MemoVersion } from './memoOutbox';

/**
 * What the indicator shows. `local`: no saver installed, the memo stays in this page;
 * `pending`: a save failed for a reason that passes and is tried again by itself.
 */
export type MemoSaveState = 'local' | 'unsaved' | 'saving' | 'saved' | 'pending' | 'conflict' | 'error';

export const memoText = signal('');
export const responseStatus = signal<string | null>(null);
export const memoVersion = signal(0);
export const memoCallSid = signal<string | null>(null);
export const saveState = signal<MemoSaveState>('local');
export const saveError = signal<string | null>(null);
/** The server's memo when a save found it changed. */
export const conflict = signal<MemoVersion | null>(null);

interface Snapshot {
  text: string;
  caret: number;
}
const undoStack = signal<Snapshot[]>([]);
const redoStack = signal<Snapshot[]>([]);
export const canUndo = computed(() => undoStack.value.length > 0);
export const canRedo = computed(() => redoStack.value.length > 0);

const STORAGE = 'console.memo';
const UNDO_LIMIT = 200;
/** Typing within this many ms of the last keystroke joins the same undo step. */
const TYPING_GROUP_MS = 1000;

/**
 * The save cadence. The text is kept on this page as it is typed (sessionStorage, and the outbox
 * in localStorage when the page is left), so how often it is saved decides how far behind the
 * supervisors' board is, and what the memo costs: each save is a request through the HTTP API,
 * an invocation, a write of the memo and a message to every open board (`tests/bench cost`: about
 * $0.002 per 1,000 calls a save; at the former 300 ms and 5 s, 34 saves a typical call were half
 * of what the call cost). A pause in typing this long is one: the operator stopped to listen or
 * to think (a committed conversion in Japanese takes under a second, and is not) …
 */
export const MEMO_PAUSE_MS = 2500;
/**
 * … and such a pause saves, at most once in this long. The board's memo tells a supervisor what
 * a call is about and where it stands; a minute does not stale that, and what changes where it
 * stands (対応ステータス) is saved at once. The first pause of a call saves at once, so the
 * customer and their matter reach the board within seconds. (The typical call of `tests/bench
 * cost`: 6 saves a call at a minute, $0.012 per 1,000 calls; 10 at 30 s, $0.020; 15 at 15 s,
 * $0.030; 35 at the former cadence, $0.069.) …
 */
export const MEMO_SAVE_GAP_MS = 60_000;
/**
 * … and typing that goes on without a pause is saved at the latest this long after its first
 * unsaved change (the board is never further behind) …
 */
export const MEMO_MAX_UNSAVED_MS = 60_000;
/*
 * … and these save at once: 対応ステータス chosen, the memo box left (it loses the focus), the
 * call hung up, transferred or handed over, 後処理 ended, the page hidden. When the page is left
 * (closed, reloaded) the save is sent with `keepalive`, so it outlives the page, and the text
 * goes to the outbox, which tries it again from the next page until it is stored. One save is
 * under way at a time: what is typed meanwhile goes with the next one, on the version the first
 * one stored. `tests/bench cost` reads the three constants above to price a call's memo saves.
 */

/**
 * A save not answered in this long is taken as failed for a reason that passes (保存待ち, tried
 * again): the next save is not held behind a request the network lost.
 */
const SAVE_ANSWER_MS = 30_000;

/** The save cadence in force (tests set a shorter one). */
export interface MemoCadence {
  pauseMs: number;
  gapMs: number;
  maxUnsavedMs: number;
}

const PAGE_CADENCE: MemoCadence = { pauseMs: MEMO_PAUSE_MS, gapMs: MEMO_SAVE_GAP_MS, maxUnsavedMs: MEMO_MAX_UNSAVED_MS };

/** The most a memo holds: characters (code points), as the server counts them. */
export const MEMO_MAX_CHARS = 10_000;

/** The memo's length in characters as the server counts them (a surrogate pair is one). */
export function memoLength(text: string): number {
  let pairs = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        pairs += 1;
        i += 1;
      }
    }
  }
  return text.length - pairs;
}

/** The first `max` characters of `text` (code points, never half a surrogate pair). */
function clip(text: string, max: number): string {
  let n = 0;
  let end = 0;
  for (const ch of text) {
    if (n === max) break;
    n += 1;
    end += ch.length;
  }
  return text.slice(0, end);
}

/** Whether the last change was cut at {@link MEMO_MAX_CHARS} (the panel says so beside the memo). */
export const memoClipped = signal(false);
/** The memo's length, for the counter. */
export const memoChars = computed(() => memoLength(memoText.value));

let saver: MemoSaver | null = null;
let cadence: MemoCadence = PAGE_CADENCE;
let timer: ReturnType<typeof setTimeout> | null = null;
/** When the oldest change not yet sent was made (0 when everything was sent). */
let unsavedSince = 0;
/** When the last change was made (the pause is counted from it). */
let lastChangeAt = 0;
/** When the last save of this memo was sent from this page (0: none yet). */
let lastSentAt = 0;
/** The save under way, if any, and what it sent. */
let inFlight: Promise<void> | null = null;
let sending: MemoDraft | null = null;
/**
 * The response status of the version the memo on screen is based on, as the server stored it
 * (`undefined`: not known here). A save choosing another says so, and is one write.
 */
let storedStatus: string | null | undefined = undefined;
let lastTyping = 0;

function persist(): void {
  sessionStorage.setItem(
    STORAGE,
    JSON.stringify({
      text: memoText.peek(),
      responseStatus: responseStatus.peek(),
      version: memoVersion.peek(),
      callSid: memoCallSid.peek(),
    }),
  );
}

function restore(): void {
  try {
    const raw = sessionStorage.getItem(STORAGE);
    if (!raw) return;
    const m = JSON.parse(raw) as Partial<MemoDraft>;
    memoText.value = typeof m.text === 'string' ? m.text : '';
    responseStatus.value = typeof m.responseStatus === 'string' ? m.responseStatus : null;
    memoVersion.value = typeof m.version === 'number' ? m.version : 0;
    memoCallSid.value = typeof m.callSid === 'string' ? m.callSid : null;
  } catch {
    /* a damaged draft is dropped */
  }
}
restore();

/** The outbox retries the memo on screen only while this module cannot (no saver). */
function syncOnScreen(): void {
  setMemoOnScreen(saver ? memoCallSid.peek() : null);
}

function changed(): void {
  persist();
  pendingTyped(memoCallSid.peek(), memoText.peek(), responseStatus.peek());
  if (!saver) {
    saveState.value = 'local';
    return;
  }
  const state = saveState.peek();
  if (state === 'conflict') return;
  const now = Date.now();
  if (unsavedSince === 0) unsavedSince = now;
  lastChangeAt = now;
  // A save waiting for its retry sends what is typed meanwhile when it is tried again.
  if (state === 'pending' && timer) return;
  saveState.value = 'unsaved';
  schedule();
}

/**
 * When the next save is due: a pause in typing, but not sooner than {@link MEMO_SAVE_GAP_MS}
 * after the last save sent; typing that goes on, {@link MEMO_MAX_UNSAVED_MS} after its first
 * unsaved change. (The first pause of a memo saves at once: nothing was sent yet.)
 */
export function memoSaveDue(c: MemoCadence, at: { lastChangeAt: number; lastSentAt: number; unsavedSince: number }): number {
  const paused = Math.max(at.lastChangeAt + c.pauseMs, at.lastSentAt === 0 ? 0 : at.lastSentAt + c.gapMs);
  return Math.min(paused, at.unsavedSince + c.maxUnsavedMs);
}

function schedule(): void {
  if (timer) clearTimeout(timer);
  timer = null;
  if (!saver || unsavedSince === 0) return;
  const due = memoSaveDue(cadence, { lastChangeAt, lastSentAt, unsavedSince });
  timer = setTimeout(() => void saveMemo(), Math.max(0, due - Date.now()));
}

function pushUndo(s: Snapshot): void {
  undoStack.value = [...undoStack.value.slice(-(UNDO_LIMIT - 1)), s];
  redoStack.value = [];
}

/**
 * Sets the memo text. `caretBefore` is where the caret was before the change (restored on
 * undo). `group: 'typing'` joins quick successive keystrokes into one undo step; `'insert'`
 * (the label buttons and shortcuts) is always its own step.
 */
export function setMemoText(text: string, caretBefore: number, group: 'typing' | 'insert'): string {
  const before = memoText.peek();
  const fitted = fit(before, text, group);
  memoClipped.value = fitted !== text;
  text = fitted;
  if (text === before) return before;
  const t = Date.now();
  if (group === 'insert' || t - lastTyping > TYPING_GROUP_MS || undoStack.peek().length === 0) {
    pushUndo({ text: before, caret: caretBefore });
  } else {
    redoStack.value = [];
  }
  lastTyping = group === 'typing' ? t : 0;
  memoText.value = text;
  changed();
  return text;
}

/**
 * `text` as far as it fits in {@link MEMO_MAX_CHARS}: what a change added is cut where the memo
 * is full (the text around it is kept as it was); a label that does not fit whole is not
 * inserted. A change that shortens the memo, or keeps it within the limit, is taken as it is.
 */
function fit(before: string, text: string, group: 'typing' | 'insert'): string {
  const length = memoLength(text);
  if (length <= MEMO_MAX_CHARS || length <= memoLength(before)) return text;
  if (group === 'insert') return before;
  let head = 0;
  const most = Math.min(before.length, text.length);
  while (head < most && before[head] === text[head]) head += 1;
  let tail = 0;
  while (tail < most - head && before[before.length - 1 - tail] === text[text.length - 1 - tail]) tail += 1;
  // Never split a surrogate pair at either end of what was added.
  if (head > 0 && /[\uD800-\uDBFF]/.test(text[head - 1] ?? '')) head -= 1;
  if (tail > 0 && /[\uDC00-\uDFFF]/.test(text[text.length - tail] ?? '')) tail -= 1;
  const added = text.slice(head, text.length - tail);
  const kept = text.slice(0, head) + text.slice(text.length - tail);
  return text.slice(0, head) + clip(added, Math.max(0, MEMO_MAX_CHARS - memoLength(kept))) + text.slice(text.length - tail);
}

/** Undoes the last change; returns where to put the caret, or `null` when there was nothing. */
export function undo(currentCaret: number): number | null {
  const stack = undoStack.peek();
  const last = stack[stack.length - 1];
  if (!last) return null;
  undoStack.value = stack.slice(0, -1);
  redoStack.value = [...redoStack.peek(), { text: memoText.peek(), caret: currentCaret }];
  lastTyping = 0;
  memoText.value = last.text;
  changed();
  return last.caret;
}

/** Redoes what was undone; returns where to put the caret, or `null`. */
export function redo(currentCaret: number): number | null {
  const stack = redoStack.peek();
  const next = stack[stack.length - 1];
  if (!next) return null;
  redoStack.value = stack.slice(0, -1);
  undoStack.value = [...undoStack.peek(), { text: memoText.peek(), caret: currentCaret }];
  lastTyping = 0;
  memoText.value = next.text;
  changed();
  return next.caret;
}

export function setResponseStatus(id: string | null): void {
  responseStatus.value = id;
  changed();
  void flushMemo();
}

/**
 * Saves now what is waiting for the typing to pause (the operator left the memo: its box lost
 * the focus, a status was chosen, 後処理 ended, the page was hidden); resolves once it is
 * answered. Nothing happens when all is saved or a failed save waits for its back-off; a save
 * under way is answered first, and what was typed meanwhile is sent right after it.
 */
export function flushMemo(): Promise<void> {
  if (saver && unsavedSince !== 0 && saveState.peek() === 'unsaved') return saveMemo();
  return Promise.resolve();
}

/**
 * The page is left (closed, reloaded, navigated away): what is not stored goes to the outbox,
 * and is sent at once with `keepalive`, which outlives the page. A save under way may land or
 * not: this one is sent on the version that save would store, and the outbox keeps the text on
 * the version before it, so whichever of the two lands, the next page finds it stored or stores
 * it. A save waiting for its retry (the server refused the last one) is left to the outbox.
 */
function leaving(): void {
  const sid = memoCallSid.peek();
  const state = saveState.peek();
  if (!sid || !saver || !(state === 'unsaved' || state === 'saving' || state === 'pending')) return;
  const draft = onScreen();
  keepPending({ callSid: sid, text: draft.text, responseStatus: draft.responseStatus, version: draft.version }, { state: 'waiting', failed: false });
  if (state === 'pending') return;
  const under = sending;
  if (under && under.callSid === sid && under.text === draft.text && under.responseStatus === draft.responseStatus) return;
  if (timer) clearTimeout(timer);
  timer = null;
  // On top of the save under way, the status changes only if it changes from that save's.
  const next: MemoDraft =
    under && under.callSid === sid
      ? { callSid: sid, text: draft.text, responseStatus: draft.responseStatus, version: under.version + 1, ...(draft.responseStatus !== under.responseStatus ? { changesStatus: true } : {}) }
      : draft;
  void send(next, { keepalive: true });
}

if (typeof window !== 'undefined') {
  window.addEventListener('pagehide', leaving);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') void flushMemo();
  });
}

/** Hands what is not stored of the memo on screen to the outbox, before another replaces it. */
function stashOutgoing(next: string | null): void {
  const sid = memoCallSid.peek();
  const state = saveState.peek();
  if (!sid || sid === next || state === 'saved' || state === 'local') return;
  const mine = { callSid: sid, text: memoText.peek(), responseStatus: responseStatus.peek(), version: memoVersion.peek() };
  if (state === 'conflict') keepPending(mine, { state: 'conflict', theirs: conflict.peek(), error: null, failed: false });
  else if (state === 'error') keepPending(mine, { state: 'refused', error: saveError.peek(), failed: false });
  else keepPending(mine, { state: 'waiting', failed: false });
}

/**
 * Starts the memo of a new call (the phone layer calls this), or loads a saved one. What the
 * memo it replaces had not stored goes to the outbox; a memo of this call still in the outbox
 * (typed before a reload, say) is shown instead of `initial`, and saved.
 */
export function resetMemo(callSid: string | null, initial?: MemoVersion): void {
  if (timer) clearTimeout(timer);
  timer = null;
  unsavedSince = 0;
  lastChangeAt = 0;
  lastSentAt = 0;
  // A save under way is answered to the memo it was about; this one's saves do not wait for it.
  inFlight = null;
  sending = null;
  stashOutgoing(callSid);
  memoCallSid.value = callSid;
  memoText.value = initial?.text ?? '';
  responseStatus.value = initial?.responseStatus ?? null;
  memoVersion.value = initial?.version ?? 0;
  storedStatus = initial ? initial.responseStatus : null;
  undoStack.value = [];
  redoStack.value = [];
  conflict.value = null;
  saveError.value = null;
  memoClipped.value = false;
  // A new memo has nothing to save yet.
  saveState.value = saver ? 'saved' : 'local';
  syncOnScreen();
  const owed = pendingFor(callSid);
  if (owed && callSid) {
    if (initial && owed.text === initial.text && owed.responseStatus === initial.responseStatus) {
      memoStored(callSid, owed, initial.version);
    } else {
      memoText.value = owed.text;
      responseStatus.value = owed.responseStatus;
      memoVersion.value = owed.version;
      storedStatus = undefined;
      if (owed.state === 'conflict' && owed.theirs) {
        conflict.value = owed.theirs;
        saveState.value = 'conflict';
      } else if (saver) {
        changed();
      }
    }
  }
  persist();
}

/** The memo on screen was stored as `version` (`draft` is what was sent). */
function applySaved(draft: MemoDraft, version: number): void {
  // A later save's answer may have come first (the page left and came back from its cache).
  if (version < memoVersion.peek()) return;
  memoVersion.value = version;
  storedStatus = draft.responseStatus;
  saveError.value = null;
  const unchanged = memoText.peek() === draft.text && responseStatus.peek() === draft.responseStatus;
  if (unchanged) {
    // Stored after all (an answer that came late): no retry is owed.
    if (timer) clearTimeout(timer);
    timer = null;
    saveState.value = 'saved';
  } else {
    // Typed while the save was under way: the next save follows the cadence.
    saveState.value = 'unsaved';
    if (unsavedSince === 0) unsavedSince = Date.now();
    schedule();
  }
  persist();
}

/** A save of `draft` failed: a conflict, kept and tried again, or an error (see {@link saveFailure}). */
function saveFailed(draft: MemoDraft, e: unknown): void {
  const f = saveFailure(e, draft);
  const sid = draft.callSid;
  if (memoCallSid.peek() !== sid) {
    // Another call's memo is on screen now: this one was handed to the outbox, which goes on.
    const kept = pendingFor(sid);
    if (!sid || !kept) return;
    if (f.kind === 'stored') memoStored(sid, draft, f.version);
    else if (f.kind === 'conflict') keepPending(kept, { state: 'conflict', theirs: f.current, error: null });
    else keepPending(kept, { state: f.kind === 'transient' ? 'waiting' : 'refused', error: f.message });
    return;
  }
  if (f.kind === 'stored') {
    if (sid) memoStored(sid, draft, f.version);
    applySaved(draft, f.version);
  } else if (f.kind === 'conflict') {
    conflict.value = f.current;
    saveState.value = 'conflict';
  } else if (f.kind === 'transient' && sid) {
    saveError.value = f.message;
    const mine = { callSid: sid, text: memoText.peek(), responseStatus: responseStatus.peek(), version: memoVersion.peek() };
    const kept = keepPending(mine, { state: 'waiting', error: f.message });
    saveState.value = 'pending';
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void saveMemo(), Math.max(0, kept.nextAt - Date.now()));
  } else {
    saveError.value = f.message;
    saveState.value = 'error';
  }
}

/**
 * Saves now (the indicator follows). Does nothing without a saver. A save under way is answered
 * first: then what is left unsaved, if anything, is sent on the version it stored.
 */
export async function saveMemo(): Promise<void> {
  if (timer) {
    clearTimeout(timer);
    timer = null;
  }
  if (inFlight !== null) {
    const sid = memoCallSid.peek();
    while (inFlight !== null) await inFlight;
    // Stored by the save that was under way, or another call's memo is on screen now.
    if (memoCallSid.peek() !== sid || saveState.peek() === 'saved' || saveState.peek() === 'conflict') return;
  }
  if (!saver) return;
  await send(onScreen());
}

/** The memo on screen as a save sends it. */
function onScreen(): MemoDraft {
  const status = responseStatus.peek();
  return {
    callSid: memoCallSid.peek(),
    text: memoText.peek(),
    responseStatus: status,
    version: memoVersion.peek(),
    ...(storedStatus !== undefined && status !== storedStatus ? { changesStatus: true } : {}),
  };
}

/** Sends `draft` and settles what the answer says. */
function send(draft: MemoDraft, opts: MemoSendOptions = {}): Promise<void> {
  const save = saver;
  if (!save) return Promise.resolve();
  if (timer) clearTimeout(timer);
  timer = null;
  unsavedSince = 0;
  lastSentAt = Date.now();
  saveState.value = 'saving';
  sending = draft;
  let late = false;
  const answered = (async () => {
    let saved: MemoVersion;
    try {
      saved = await save(draft, opts);
    } catch (e) {
      if (!late) saveFailed(draft, e);
      return;
    }
    if (draft.callSid) memoStored(draft.callSid, draft, saved.version);
    // The next call's memo may be on screen by now: this result is not about it.
    if (memoCallSid.peek() === draft.callSid) applySaved(draft, saved.version);
  })();
  let waiting: ReturnType<typeof setTimeout> | null = null;
  const unanswered = new Promise<void>((resolve) => {
    waiting = setTimeout(() => {
      late = true;
      saveFailed(draft, new ApiError(0, 'network', 'the save was not answered'));
      resolve();
    }, SAVE_ANSWER_MS);
  });
  const settled: Promise<void> = Promise.race([answered, unanswered]).finally(() => {
    if (waiting) clearTimeout(waiting);
    if (inFlight === settled) {
      inFlight = null;
      sending = null;
    }
  });
  inFlight = settled;
  return settled;
}

/** Settles a conflict: take the server's memo, or save mine over it. */
export function resolveConflict(choice: 'theirs' | 'mine'): void {
  const c = conflict.peek();
  if (!c) return;
  conflict.value = null;
  memoVersion.value = c.version;
  storedStatus = c.responseStatus;
  if (choice === 'theirs') {
    pushUndo({ text: memoText.peek(), caret: memoText.peek().length });
    memoText.value = c.text;
    responseStatus.value = c.responseStatus;
    saveState.value = 'saved';
    persist();
  } else {
    saveState.value = 'unsaved';
    void saveMemo();
  }
}

/**
 * Installs the memos API (or removes it with `null`). The memo is then saved at the page's
 * cadence (`cadence` replaces parts of it: tests), and the indicator shows 未保存 / 保存中 /
 * 保存済み / 保存待ち / 競合.
 */
export function setMemoSaver(fn: MemoSaver | null, opts: { cadence?: Partial<MemoCadence> } = {}): void {
  saver = fn;
  cadence = { ...PAGE_CADENCE, ...opts.cadence };
  syncOnScreen();
  if (!fn) {
    if (timer) clearTimeout(timer);
    timer = null;
    const state = saveState.peek();
    const sid = memoCallSid.peek();
    // Typed and not stored: the outbox goes on trying it.
    if (sid && (state === 'unsaved' || state === 'saving' || state === 'pending')) {
      keepPending(
        { callSid: sid, text: memoText.peek(), responseStatus: responseStatus.peek(), version: memoVersion.peek() },
        { state: 'waiting', failed: false },
      );
    }
    if (state !== 'conflict') saveState.value = 'local';
  } else if (saveState.peek() === 'local') {
    changed();
  }
}

/**
 * Brings a memo typed in this page onto the server's: `base` is what the page started from.
 * Untouched since then: the server's memo is shown. Changed here but not there: it is saved on
 * top of the server's version. Changed on both sides: the conflict is shown for the operator
 * to settle (nothing is dropped).
 */
export function rebaseMemo(server: MemoVersion, base: { text: string; responseStatus: string | null }): void {
  if (timer) clearTimeout(timer);
  timer = null;
  const mine = { text: memoText.peek(), responseStatus: responseStatus.peek() };
  const same = (a: typeof mine, b: typeof mine) => a.text === b.text && a.responseStatus === b.responseStatus;
  memoVersion.value = server.version;
  storedStatus = server.responseStatus;
  const sid = memoCallSid.peek();
  if (same(mine, base) || same(mine, server)) {
    // What the outbox kept of this call is stored, if it is what the server has.
    if (sid) memoStored(sid, server, server.version);
    if (mine.text !== server.text) pushUndo({ text: mine.text, caret: mine.text.length });
    memoText.value = server.text;
    responseStatus.value = server.responseStatus;
    conflict.value = null;
    saveState.value = saver ? 'saved' : 'local';
    persist();
  } else if (same(server, base)) {
    conflict.value = null;
    saveState.value = 'unsaved';
    changed();
  } else {
    conflict.value = server;
    saveState.value = 'conflict';
    persist();
  }
}
