//! The conversation memo (会話メモ) and its response status (対応ステータス): the text, an undo
//! history of its own (Ctrl+Z and Ctrl+X insert labels instead of undoing and cutting), and the
//! save state shown by the indicator. The call layer (state/call.ts) installs the memos API with
//! {@link setMemoSaver} while the memo belongs to a call of this operator; otherwise the memo
//! lives in this page only (and survives a reload).

import { computed, signal } from '@preact/signals';
import { ApiError } from '../api/client';
import { errorText } from '../api/errors';
import { liveDisabled } from '../live';

/** What the indicator shows. `local`: no saver installed, the memo stays in this page. */
export type MemoSaveState = 'local' | 'unsaved' | 'saving' | 'saved' | 'conflict' | 'error';

/** What a saver sends. */
export interface MemoDraft {
  callSid: string | null;
  text: string;
  responseStatus: string | null;
  /** The version this draft is based on (0 for a memo never saved). */
  version: number;
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

/** Saves a draft; resolves with the saved version. */
export type MemoSaver = (draft: MemoDraft) => Promise<MemoVersion>;

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

/** While typing goes on without a pause, the memo is still saved this often (supervisors read it live). */
const MAX_UNSAVED_MS = 2000;

/**
 * A pause this long in typing saves. The board hears a save pushed on the live channel at once,
 * so this pause is most of the time a memo takes to reach a supervisor's screen; without the
 * channel the board polls, and saving sooner would gain nothing.
 */
const DEBOUNCE_MS = liveDisabled() ? 800 : 300;

let saver: MemoSaver | null = null;
let debounceMs = DEBOUNCE_MS;
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

function changed(): void {
  persist();
  if (!saver) {
    saveState.value = 'local';
    return;
  }
  if (saveState.peek() === 'conflict') return;
  saveState.value = 'unsaved';
  const now = Date.now();
  if (unsavedSince === 0) unsavedSince = now;
  if (timer) clearTimeout(timer);
  // A pause in typing saves; so does typing that goes on, at least every MAX_UNSAVED_MS.
  const wait = Math.min(debounceMs, Math.max(0, unsavedSince + MAX_UNSAVED_MS - now));
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
export function setMemoText(text: string, caretBefore: number, group: 'typing' | 'insert'): void {
  const before = memoText.peek();
  if (text === before) return;
  const t = Date.now();
  if (group === 'insert' || t - lastTyping > TYPING_GROUP_MS || undoStack.peek().length === 0) {
    pushUndo({ text: before, caret: caretBefore });
  } else {
    redoStack.value = [];
  }
  lastTyping = group === 'typing' ? t : 0;
  memoText.value = text;
  changed();
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
}

/** Starts the memo of a new call (the phone layer calls this), or loads a saved one. */
export function resetMemo(callSid: string | null, initial?: MemoVersion): void {
  if (timer) clearTimeout(timer);
  memoCallSid.value = callSid;
  memoText.value = initial?.text ?? '';
  responseStatus.value = initial?.responseStatus ?? null;
  memoVersion.value = initial?.version ?? 0;
  undoStack.value = [];
  redoStack.value = [];
  conflict.value = null;
  saveError.value = null;
  // A new memo has nothing to save yet.
  saveState.value = saver ? 'saved' : 'local';
  persist();
}

function conflictOf(e: unknown): MemoVersion | null {
  if (e instanceof MemoConflictError) return e.current;
  if (e instanceof ApiError && e.status === 409 && e.current && typeof e.current === 'object') {
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
  try {
    const saved = await saver(draft);
    memoVersion.value = saved.version;
    saveError.value = null;
    const unchanged = memoText.peek() === draft.text && responseStatus.peek() === draft.responseStatus;
    saveState.value = unchanged ? 'saved' : 'unsaved';
    if (!unchanged) changed();
    persist();
  } catch (e) {
    const c = conflictOf(e);
    if (c) {
      conflict.value = c;
      saveState.value = 'conflict';
    } else {
      saveError.value = errorText(e);
      saveState.value = 'error';
    }
  }
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
  debounceMs = opts.debounceMs ?? DEBOUNCE_MS;
  if (!fn) {
    if (timer) clearTimeout(timer);
    timer = null;
    if (saveState.peek() !== 'conflict') saveState.value = 'local';
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
  if (same(mine, base) || same(mine, server)) {
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
