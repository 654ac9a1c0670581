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
import type { MemoDraft, MemoSaver, MemoVersion } from './memoOutbox';
import { keepPending, memoStored, pendingFor, pendingTyped, saveFailure, setMemoOnScreen } from './memoOutbox';

export { MemoConflictError } from './memoOutbox';
export type { MemoDraft, MemoSaver, MemoVersion } from './memoOutbox';

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
 * The save cadence. Each save is a request, a write of the memo and a message to every open
 * board; supervisors read the memo live (typed to their screen in ≤ 0.5 s p95, `tests/bench
 * live`), so a pause this short in typing saves — in Japanese a pause comes with each committed
 * conversion, so a save is per phrase, not per keystroke …
 */
export const MEMO_PAUSE_MS = 300;
/**
 * … and typing that goes on without such a pause is still saved this often (the board is then
 * at most this far behind; `tests/bench cost`, a keystroke every 200 ms for 12 notes: 34 saves a
 * call at 5 s against 74 at 2 s, $0.24 against $0.39 per 1,000 calls with the live channel) …
 */
export const MEMO_MAX_UNSAVED_MS = 5000;
/*
 * … and leaving the memo (its box loses focus, 対応ステータス chosen, the page hidden or left)
 * saves at once. Until a save is stored the text is kept in this tab (sessionStorage); when the
 * page is left it goes to the outbox (localStorage), so a closed tab loses nothing either.
 * `tests/bench cost` reads the two constants above to price a call's memo saves.
 */

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
let debounceMs = MEMO_PAUSE_MS;
let timer: ReturnType<typeof setTimeout> | null = null;
/** When the oldest change not yet sent was made (0 when everything was sent). */
let unsavedSince = 0;
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
  if (saveState.peek() === 'conflict') return;
  saveState.value = 'unsaved';
  const now = Date.now();
  if (unsavedSince === 0) unsavedSince = now;
  if (timer) clearTimeout(timer);
  // A pause in typing saves; so does typing that goes on, at least every MEMO_MAX_UNSAVED_MS.
  const wait = Math.min(debounceMs, Math.max(0, unsavedSince + MEMO_MAX_UNSAVED_MS - now));
  timer = setTimeout(() => void saveMemo(), wait);
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
  flushMemo();
}

/**
 * Saves now what is waiting for the typing to pause (the operator left the memo: its box lost
 * the focus, a status was chosen, the page was hidden). Nothing happens when all is saved, a
 * save is under way, or a failed one waits for its back-off.
 */
export function flushMemo(): void {
  if (saver && timer && saveState.peek() === 'unsaved') void saveMemo();
}

/** The page is left (closed, reloaded, navigated away): what is not stored goes to the outbox. */
function leaving(): void {
  const sid = memoCallSid.peek();
  const state = saveState.peek();
  if (sid && saver && (state === 'unsaved' || state === 'saving' || state === 'pending')) {
    keepPending(
      { callSid: sid, text: memoText.peek(), responseStatus: responseStatus.peek(), version: memoVersion.peek() },
      { state: 'waiting', failed: false },
    );
  }
  flushMemo();
}

if (typeof window !== 'undefined') {
  window.addEventListener('pagehide', leaving);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') flushMemo();
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
  stashOutgoing(callSid);
  memoCallSid.value = callSid;
  memoText.value = initial?.text ?? '';
  responseStatus.value = initial?.responseStatus ?? null;
  memoVersion.value = initial?.version ?? 0;
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
  memoVersion.value = version;
  saveError.value = null;
  const unchanged = memoText.peek() === draft.text && responseStatus.peek() === draft.responseStatus;
  saveState.value = unchanged ? 'saved' : 'unsaved';
  if (!unchanged) changed();
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

/** Saves now (the indicator follows). Does nothing without a saver. */
export async function saveMemo(): Promise<void> {
  if (timer) {
    clearTimeout(timer);
    timer = null;
  }
  unsavedSince = 0;
  if (!saver) return;
  const draft: MemoDraft = {
    callSid: memoCallSid.peek(),
    text: memoText.peek(),
    responseStatus: responseStatus.peek(),
    version: memoVersion.peek(),
  };
  saveState.value = 'saving';
  let saved: MemoVersion;
  try {
    saved = await saver(draft);
  } catch (e) {
    saveFailed(draft, e);
    return;
  }
  if (draft.callSid) memoStored(draft.callSid, draft, saved.version);
  // The next call's memo may be on screen by now: this result is not about it.
  if (memoCallSid.peek() === draft.callSid) applySaved(draft, saved.version);
}

/** Settles a conflict: take the server's memo, or save mine over it. */
export function resolveConflict(choice: 'theirs' | 'mine'): void {
  const c = conflict.peek();
  if (!c) return;
  conflict.value = null;
  memoVersion.value = c.version;
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
 * Installs the memos API (or removes it with `null`). The memo is then saved `debounce` ms
 * after the last change, and the indicator shows 未保存 / 保存中 / 保存済み / 競合.
 */
export function setMemoSaver(fn: MemoSaver | null, opts: { debounceMs?: number } = {}): void {
  saver = fn;
  debounceMs = opts.debounceMs ?? MEMO_PAUSE_MS;
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
