// Nothing typed is lost: the memo's saves against a fake server that can be made to fail. A save
// that fails for a reason that passes is kept (per call, in localStorage) and tried again with
// back-off until stored; the next call's memo does not overwrite it; a stale version is still a
// conflict for the operator. Timers are faked; the jitter is seeded.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';
import {
  MEMO_MAX_CHARS,
  MEMO_MAX_UNSAVED_MS,
  MEMO_PAUSE_MS,
  flushMemo,
  memoClipped,
  memoLength,
  memoText,
  memoVersion,
  resetMemo,
  saveMemo,
  saveState,
  setMemoSaver,
  setMemoText,
  setResponseStatus,
} from './memo';
import type { MemoDraft, MemoVersion } from './memoOutbox';
import { outboxWorld, overwritePending, pendingFor, pendingMemos, resetMemoOutbox, retryPendingNow, startMemoOutbox } from './memoOutbox';

const OPERATOR = 'op-sato';
const STORAGE = `console.memo.pending.${OPERATOR}`;

/** A memo store that answers like the API, and fails while `failWith` is set. */
class FakeServer {
  memos = new Map<string, MemoVersion>();
  failWith: (() => Error | null) | null = null;
  saves: MemoDraft[] = [];
  /** Saves held until the test lets them through. */
  held: { draft: MemoDraft; go: () => void }[] = [];
  hold = false;

  save = async (d: MemoDraft): Promise<MemoVersion> => {
    this.saves.push(d);
    if (this.hold) await new Promise<void>((go) => this.held.push({ draft: d, go }));
    const failure = this.failWith?.();
    if (failure) throw failure;
    const sid = d.callSid ?? '';
    const now = this.memos.get(sid) ?? { text: '', responseStatus: null, version: 0 };
    if (now.version !== d.version) {
      throw new ApiError(409, 'stale_version', 'the memo was saved meanwhile', undefined, {
        call_sid: sid,
        text: now.text,
        response_status: now.responseStatus,
        version: now.version,
      });
    }
    const saved = { text: d.text, responseStatus: d.responseStatus, version: d.version + 1 };
    this.memos.set(sid, saved);
    return saved;
  };
}

const unavailable = () => new ApiError(503, 'unavailable', 'the store is unavailable');
let server: FakeServer;

function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function type(text: string): void {
  setMemoText(text, memoText.peek().length, 'typing');
}

beforeEach(() => {
  vi.useFakeTimers();
  // Whatever the last test left on screen is not this test's.
  setMemoSaver(null);
  resetMemo(null);
  resetMemoOutbox();
  localStorage.clear();
  sessionStorage.clear();
  outboxWorld.random = seeded(7);
  server = new FakeServer();
  setMemoSaver(server.save, { debounceMs: 100 });
  resetMemo('CA1');
});

afterEach(() => {
  setMemoSaver(null);
  resetMemoOutbox();
  vi.useRealTimers();
});

describe('a memo save that fails for a reason that passes', () => {
  it('is kept as 保存待ち, in localStorage, and tried again until stored', async () => {
    const stop = startMemoOutbox(OPERATOR, server.save);
    server.failWith = unavailable;
    type('住所変更のご依頼');
    await vi.advanceTimersByTimeAsync(100);
    expect(saveState.value).toBe('pending');
    expect(pendingFor('CA1')?.text).toBe('住所変更のご依頼');
    expect(JSON.parse(localStorage.getItem(STORAGE) ?? '[]')).toMatchObject([{ callSid: 'CA1', text: '住所変更のご依頼' }]);

    // Tried again with back-off while the server is down, not in a tight loop.
    await vi.advanceTimersByTimeAsync(10_000);
    const tries = server.saves.length;
    expect(tries).toBeGreaterThan(1);
    expect(tries).toBeLessThan(8);

    server.failWith = null;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.memos.get('CA1')?.text).toBe('住所変更のご依頼');
    expect(saveState.value).toBe('saved');
    expect(pendingMemos.value).toEqual([]);
    expect(localStorage.getItem(STORAGE)).toBeNull();
    stop();
  });

  it('survives the next call: its memo starts empty and the earlier one is still stored later', async () => {
    const stop = startMemoOutbox(OPERATOR, server.save);
    type('折り返し希望 15時以降');
    await vi.advanceTimersByTimeAsync(100);
    expect(server.memos.get('CA1')?.version).toBe(1);

    // The last words fail, the call ends, and the next one starts at once.
    server.failWith = unavailable;
    type('折り返し希望 15時以降。携帯へ');
    await vi.advanceTimersByTimeAsync(100);
    expect(saveState.value).toBe('pending');
    resetMemo('CA2');
    expect(memoText.value).toBe('');
    expect(saveState.value).toBe('saved');
    type('新しい通話のメモ');
    await vi.advanceTimersByTimeAsync(100);
    // While the server is down, the earlier memo waits and is shown as pending elsewhere.
    expect(pendingMemos.value.map((p) => p.callSid).sort()).toEqual(['CA1', 'CA2']);

    server.failWith = null;
    await vi.advanceTimersByTimeAsync(120_000);
    expect(server.memos.get('CA1')).toEqual({ text: '折り返し希望 15時以降。携帯へ', responseStatus: null, version: 2 });
    expect(server.memos.get('CA2')?.text).toBe('新しい通話のメモ');
    expect(pendingMemos.value).toEqual([]);
    stop();
  });

  it('a save still under way when the next call starts settles the earlier memo, not the new one', async () => {
    const stop = startMemoOutbox(OPERATOR, server.save);
    server.hold = true;
    type('1回目');
    await vi.advanceTimersByTimeAsync(100);
    expect(saveState.value).toBe('saving');
    resetMemo('CA2');
    expect(pendingFor('CA1')?.text).toBe('1回目');

    server.hold = false;
    server.held.splice(0).forEach((h) => h.go());
    await vi.advanceTimersByTimeAsync(0);
    expect(server.memos.get('CA1')?.text).toBe('1回目');
    // The answer about CA1 did not touch CA2's memo.
    expect(memoVersion.value).toBe(0);
    expect(saveState.value).toBe('saved');
    expect(pendingFor('CA1')).toBeUndefined();
    stop();
  });

  it('a 409 that is not a stale version is tried again, not shown as a conflict', async () => {
    let refusals = 1;
    server.failWith = () => (refusals-- > 0 ? new ApiError(409, 'transaction_conflict', 'another write on the call') : null);
    type('メモ');
    await vi.advanceTimersByTimeAsync(100);
    expect(saveState.value).toBe('pending');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(saveState.value).toBe('saved');
    expect(server.memos.get('CA1')?.text).toBe('メモ');
  });

  it('a repeat of a save that had landed is taken as stored', async () => {
    server.memos.set('CA1', { text: 'もう保存済み', responseStatus: null, version: 1 });
    type('もう保存済み');
    await saveMemo();
    expect(saveState.value).toBe('saved');
    expect(memoVersion.value).toBe(1);
  });
});

describe('a stale version (someone else saved)', () => {
  it('is a conflict for the operator, as before, and not retried', async () => {
    server.memos.set('CA1', { text: 'スーパーバイザーの追記', responseStatus: null, version: 3 });
    type('自分のメモ');
    await vi.advanceTimersByTimeAsync(100);
    expect(saveState.value).toBe('conflict');
    expect(pendingMemos.value).toEqual([]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.saves).toHaveLength(1);
  });

  it('left unsettled when the next call starts, is kept as a conflict and can be saved over', async () => {
    const stop = startMemoOutbox(OPERATOR, server.save);
    server.memos.set('CA1', { text: 'スーパーバイザーの追記', responseStatus: null, version: 3 });
    type('自分のメモ');
    await vi.advanceTimersByTimeAsync(100);
    resetMemo('CA2');
    expect(pendingFor('CA1')).toMatchObject({ state: 'conflict', text: '自分のメモ', theirs: { version: 3 } });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.memos.get('CA1')?.text).toBe('スーパーバイザーの追記');

    overwritePending('CA1');
    await vi.advanceTimersByTimeAsync(1000);
    expect(server.memos.get('CA1')).toMatchObject({ text: '自分のメモ', version: 4 });
    expect(pendingFor('CA1')).toBeUndefined();
    stop();
  });
});

describe('the outbox', () => {
  it('is kept across a reload and tried again once the operator is back', async () => {
    const stop = startMemoOutbox(OPERATOR, server.save);
    server.failWith = unavailable;
    type('リロード前のメモ');
    await vi.advanceTimersByTimeAsync(100);
    resetMemo('CA2');
    stop();
    setMemoSaver(null);

    // A reload: nothing in memory, only what this browser kept.
    resetMemoOutbox();
    expect(pendingMemos.value).toEqual([]);
    server.failWith = null;
    const again = startMemoOutbox(OPERATOR, server.save);
    expect(pendingFor('CA1')?.text).toBe('リロード前のメモ');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.memos.get('CA1')?.text).toBe('リロード前のメモ');
    expect(pendingMemos.value).toEqual([]);
    again();
  });

  it("keeps one operator's memos apart from the next one's on the same browser", async () => {
    const stop = startMemoOutbox(OPERATOR, server.save);
    server.failWith = unavailable;
    type('佐藤のメモ');
    await vi.advanceTimersByTimeAsync(100);
    resetMemo(null);
    stop();
    const other = startMemoOutbox('op-suzuki', server.save);
    expect(pendingMemos.value).toEqual([]);
    other();
    expect(JSON.parse(localStorage.getItem(STORAGE) ?? '[]')).toMatchObject([{ callSid: 'CA1', text: '佐藤のメモ' }]);
  });

  it('stops trying a memo the server refuses for good, until asked', async () => {
    const stop = startMemoOutbox(OPERATOR, server.save);
    server.failWith = unavailable;
    type('転送後のメモ');
    await vi.advanceTimersByTimeAsync(100);
    resetMemo('CA2');
    server.failWith = () => new ApiError(403, 'forbidden', 'only the operator on this call can change its memo');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(pendingFor('CA1')?.state).toBe('refused');
    const tries = server.saves.length;
    await vi.advanceTimersByTimeAsync(600_000);
    expect(server.saves.length).toBe(tries);

    server.failWith = null;
    retryPendingNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(server.memos.get('CA1')?.text).toBe('転送後のメモ');
    stop();
  });

  it("shows a call's kept memo when that call's memo is opened again, and saves it", async () => {
    const stop = startMemoOutbox(OPERATOR, server.save);
    server.failWith = unavailable;
    type('再接続前のメモ');
    await vi.advanceTimersByTimeAsync(100);
    resetMemo('CA2');
    server.failWith = null;
    // Rejoined before the outbox got to it: the server's memo is empty, the kept one is shown.
    resetMemo('CA1', { text: '', responseStatus: null, version: 0 });
    expect(memoText.value).toBe('再接続前のメモ');
    await vi.advanceTimersByTimeAsync(1000);
    expect(server.memos.get('CA1')?.text).toBe('再接続前のメモ');
    expect(saveState.value).toBe('saved');
    expect(pendingMemos.value).toEqual([]);
    stop();
  });
});

describe('the save cadence', () => {
  /** Types `note` one character every `everyMs`, as an operator does while listening. */
  async function typeSlowly(note: string, everyMs: number): Promise<void> {
    for (const ch of note) {
      type(memoText.peek() + ch);
      await vi.advanceTimersByTimeAsync(everyMs);
    }
  }

  it('coalesces typing that goes on into one save per pause or per MEMO_MAX_UNSAVED_MS, and loses nothing', async () => {
    setMemoSaver(server.save);
    const note = 'お客様より住所変更のご依頼、新住所は東京都港区。本人確認済み、書類を郵送予定。';
    // Given an operator typing without a pause (a change every two thirds of the pause) for
    // one and a half times MEMO_MAX_UNSAVED_MS,
    const every = Math.floor((MEMO_PAUSE_MS * 2) / 3);
    const changes = Math.ceil((MEMO_MAX_UNSAVED_MS * 1.5) / every);
    expect(changes).toBeLessThan(note.length);
    await typeSlowly(note.slice(0, changes), every);
    // then one save went while the typing went on (after MEMO_MAX_UNSAVED_MS),
    expect(server.saves.length).toBe(1);
    // and the pause that follows saves all of it.
    await typeSlowly(note.slice(changes), every);
    await vi.advanceTimersByTimeAsync(MEMO_PAUSE_MS);
    const saves = server.saves.length;
    expect(saves).toBeLessThanOrEqual(1 + Math.ceil(((note.length - changes) * every) / MEMO_MAX_UNSAVED_MS) + 1);
    expect(server.memos.get('CA1')?.text).toBe(note);
    expect(saveState.value).toBe('saved');
  });

  it('saves at once when the operator leaves the memo or chooses a response status', async () => {
    setMemoSaver(server.save);
    type('折り返し希望');
    await vi.advanceTimersByTimeAsync(10);
    expect(server.saves.length).toBe(0);
    flushMemo();
    await vi.advanceTimersByTimeAsync(0);
    expect(server.memos.get('CA1')?.text).toBe('折り返し希望');

    type('折り返し希望 15時以降');
    setResponseStatus('callback');
    await vi.advanceTimersByTimeAsync(0);
    expect(server.memos.get('CA1')).toEqual({ text: '折り返し希望 15時以降', responseStatus: 'callback', version: 2 });
    // Nothing is left to save afterwards.
    await vi.advanceTimersByTimeAsync(MEMO_MAX_UNSAVED_MS);
    expect(server.saves.length).toBe(2);
  });

  it('hands what is not saved to the outbox when the page is left, and a later page stores it', async () => {
    setMemoSaver(server.save);
    const stop = startMemoOutbox(OPERATOR, server.save);
    server.hold = true;
    type('閉じる直前のメモ');
    // The tab is closed before the pause is over: the save it starts never gets an answer.
    window.dispatchEvent(new Event('pagehide'));
    expect(JSON.parse(localStorage.getItem(STORAGE) ?? '[]')).toMatchObject([{ callSid: 'CA1', text: '閉じる直前のメモ' }]);
    stop();
    setMemoSaver(null);

    // The next page of this operator finds it and stores it.
    resetMemoOutbox();
    server.hold = false;
    const again = startMemoOutbox(OPERATOR, server.save);
    await vi.advanceTimersByTimeAsync(5000);
    expect(server.memos.get('CA1')?.text).toBe('閉じる直前のメモ');
    expect(pendingMemos.value).toEqual([]);
    again();
  });
});

describe('the memo limit', () => {
  it('cuts what a change adds where the memo is full and keeps the text after the caret', () => {
    setMemoSaver(server.save);
    const start = 'あ'.repeat(MEMO_MAX_CHARS - 5);
    setMemoText(start + '末尾', 0, 'typing');
    // Pasting 10 characters before 末尾 where only 3 fit:
    const applied = setMemoText(start + '0123456789' + '末尾', start.length, 'typing');
    expect(applied).toBe(start + '012' + '末尾');
    expect(memoLength(memoText.value)).toBe(MEMO_MAX_CHARS);
    expect(memoClipped.value).toBe(true);
  });

  it('counts a character outside the BMP once and never splits it', () => {
    setMemoSaver(server.save);
    setMemoText('a'.repeat(MEMO_MAX_CHARS - 2), 0, 'typing');
    const applied = setMemoText('a'.repeat(MEMO_MAX_CHARS - 2) + '😀😀😀', MEMO_MAX_CHARS - 2, 'typing');
    expect(applied).toBe('a'.repeat(MEMO_MAX_CHARS - 2) + '😀😀');
    expect(memoLength(applied)).toBe(MEMO_MAX_CHARS);
  });

  it('does not insert a label that does not fit, and lets a memo over the limit be shortened', () => {
    setMemoSaver(server.save);
    const full = 'い'.repeat(MEMO_MAX_CHARS - 2);
    setMemoText(full, 0, 'typing');
    expect(setMemoText(full + '【お客様】', full.length, 'insert')).toBe(full);
    expect(memoClipped.value).toBe(true);

    // A memo kept from before the limit was enforced on this page, 5 over:
    resetMemo('CA2', { text: 'う'.repeat(MEMO_MAX_CHARS + 5), responseStatus: null, version: 1 });
    expect(memoClipped.value).toBe(false);
    const shorter = 'う'.repeat(MEMO_MAX_CHARS + 1);
    expect(setMemoText(shorter, 0, 'typing')).toBe(shorter);
    expect(memoClipped.value).toBe(false);
  });
});
