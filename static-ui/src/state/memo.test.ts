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
  MEMO_SAVE_GAP_MS,
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
import type { MemoDraft, MemoSaver, MemoVersion } from './memoOutbox';
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

  save: MemoSaver = async (d) => {
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
  // A short pause and no gap between saves: these tests are about what becomes of a save.
  setMemoSaver(server.save, { cadence: { pauseMs: 100, gapMs: 0 } });
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
  /** When each change was made. */
  let changes: number[] = [];

  /** Types `note` one character every `everyMs`, as an operator does while listening. */
  async function typeSlowly(note: string, everyMs: number): Promise<void> {
    for (const ch of note) {
      type(memoText.peek() + ch);
      changes.push(Date.now());
      await vi.advanceTimersByTimeAsync(everyMs);
    }
  }

  /** When each save was sent, in ms since `start`. */
  function sentAt(start: number): number[] {
    return server.saves.map((d) => (d as MemoDraft & { at: number }).at - start);
  }

  beforeEach(() => {
    changes = [];
    const save = server.save;
    server.save = (d, opts) => save({ ...d, at: Date.now() } as MemoDraft, opts);
  });

  it('saves the first pause of a call at once, then a pause at most once a minute, and loses nothing', async () => {
    setMemoSaver(server.save);
    const start = Date.now();
    // Given an operator who types a note of ten seconds (a keystroke every 200 ms), listens for
    // twelve, and so on for eight notes (about three minutes),
    const note = (i: number) => `【お客様】ご相談その${i}。【オペレータ】ご案内済み。`.padEnd(50, '。');
    for (let i = 0; i < 8; i++) {
      await typeSlowly(note(i), 200);
      await vi.advanceTimersByTimeAsync(12_000);
    }
    const at = sentAt(start);
    // then the first note is saved one pause after it ends (the board has it within seconds),
    expect(at[0]).toBeGreaterThanOrEqual(10_000 + MEMO_PAUSE_MS - 200);
    expect(at[0]).toBeLessThanOrEqual(10_000 + MEMO_PAUSE_MS + 200);
    // every later save comes at least a minute after the one before,
    for (let i = 1; i < at.length; i++) expect(at[i] - at[i - 1]).toBeGreaterThanOrEqual(MEMO_SAVE_GAP_MS);
    // which makes three saves of eight notes in three minutes, where a save a pause made eight;
    expect(at).toHaveLength(3);
    // a change waits at most a minute and a pause to be sent (the board is never further behind),
    const last = start + at[at.length - 1];
    for (const c of changes.filter((c) => c <= last)) {
      const next = at.map((a) => start + a).find((a) => a >= c)!;
      expect(next - c).toBeLessThanOrEqual(MEMO_MAX_UNSAVED_MS + MEMO_PAUSE_MS);
    }
    // and choosing the response status saves the rest at once.
    setResponseStatus('resolved');
    await vi.advanceTimersByTimeAsync(0);
    expect(server.memos.get('CA1')).toMatchObject({ text: memoText.value, responseStatus: 'resolved' });
    expect(saveState.value).toBe('saved');
  });

  it('saves typing that never pauses a minute after its first unsaved change', async () => {
    setMemoSaver(server.save);
    const start = Date.now();
    // Given typing with no pause at all for two and a half minutes (a keystroke a second),
    await typeSlowly('あ'.repeat(150), 1000);
    // then it was saved every minute while it went on,
    const at = sentAt(start);
    expect(at).toHaveLength(2);
    expect(at[0]).toBeLessThanOrEqual(MEMO_MAX_UNSAVED_MS);
    expect(at[1] - at[0]).toBeLessThanOrEqual(MEMO_MAX_UNSAVED_MS + 1000);
    // and the pause that follows, a minute after the last save, stores all of it.
    await vi.advanceTimersByTimeAsync(MEMO_SAVE_GAP_MS);
    expect(server.memos.get('CA1')?.text).toBe('あ'.repeat(150));
  });

  it('saves at once when the operator leaves the memo or chooses a response status, a minute or not', async () => {
    setMemoSaver(server.save);
    type('折り返し希望');
    await vi.advanceTimersByTimeAsync(10);
    expect(server.saves.length).toBe(0);
    await flushMemo();
    expect(server.memos.get('CA1')?.text).toBe('折り返し希望');

    // Seconds later, well inside the minute:
    await vi.advanceTimersByTimeAsync(5000);
    type('折り返し希望 15時以降');
    setResponseStatus('callback');
    await vi.advanceTimersByTimeAsync(0);
    expect(server.memos.get('CA1')).toEqual({ text: '折り返し希望 15時以降', responseStatus: 'callback', version: 2 });
    // Nothing is left to save afterwards.
    await vi.advanceTimersByTimeAsync(MEMO_MAX_UNSAVED_MS * 2);
    expect(server.saves.length).toBe(2);
  });

  it('says a save changes the response status only when it differs from the version it is based on', async () => {
    setMemoSaver(server.save);
    type('請求書');
    await flushMemo();
    setResponseStatus('callback');
    await vi.advanceTimersByTimeAsync(0);
    type('請求書、15時に折り返し');
    await flushMemo();
    setResponseStatus('resolved');
    await vi.advanceTimersByTimeAsync(0);
    expect(server.saves.map((d) => [d.responseStatus, d.changesStatus ?? false])).toEqual([
      [null, false],
      ['callback', true],
      ['callback', false],
      ['resolved', true],
    ]);
  });

  it('sends what is typed during a save right after it, on the version it stored, never as a conflict', async () => {
    setMemoSaver(server.save);
    server.hold = true;
    type('住所変更');
    const first = flushMemo();
    await vi.advanceTimersByTimeAsync(0);
    expect(saveState.value).toBe('saving');
    // The operator types on and leaves the memo while the first save is still under way:
    type('住所変更、書類送付');
    const second = flushMemo();
    await vi.advanceTimersByTimeAsync(0);
    expect(server.saves).toHaveLength(1);
    server.hold = false;
    server.held.splice(0).forEach((h) => h.go());
    await first;
    await second;
    expect(server.saves.map((d) => d.version)).toEqual([0, 1]);
    expect(server.memos.get('CA1')).toMatchObject({ text: '住所変更、書類送付', version: 2 });
    expect(saveState.value).toBe('saved');
  });

  it('takes a save not answered in half a minute as waiting, and tries it again', async () => {
    setMemoSaver(server.save);
    server.hold = true;
    type('応答なし');
    void flushMemo();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(saveState.value).toBe('pending');
    server.hold = false;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.memos.get('CA1')?.text).toBe('応答なし');
    expect(saveState.value).toBe('saved');
  });

  it('hands what is not saved to the outbox when the page is left, and sends it with keepalive', async () => {
    setMemoSaver(server.save);
    const stop = startMemoOutbox(OPERATOR, server.save);
    const sent: (boolean | undefined)[] = [];
    const save = server.save;
    setMemoSaver((d, opts) => {
      sent.push(opts?.keepalive);
      return save(d, opts);
    });
    server.hold = true;
    type('閉じる直前のメモ');
    // The tab is closed before the pause is over: the save goes with keepalive (it outlives the
    // page), but its answer never comes to this page.
    window.dispatchEvent(new Event('pagehide'));
    expect(sent).toEqual([true]);
    expect(JSON.parse(localStorage.getItem(STORAGE) ?? '[]')).toMatchObject([{ callSid: 'CA1', text: '閉じる直前のメモ' }]);
    stop();
    setMemoSaver(null);

    // The next page of this operator finds it and stores it (or finds it stored).
    resetMemoOutbox();
    server.hold = false;
    server.held.splice(0).forEach((h) => h.go());
    const again = startMemoOutbox(OPERATOR, server.save);
    await vi.advanceTimersByTimeAsync(5000);
    expect(server.memos.get('CA1')?.text).toBe('閉じる直前のメモ');
    expect(pendingMemos.value).toEqual([]);
    again();
  });

  it('left while a save waits for its retry, leaves it to the outbox without sending it again', async () => {
    setMemoSaver(server.save);
    const stop = startMemoOutbox(OPERATOR, server.save);
    server.failWith = unavailable;
    type('障害中のメモ');
    await flushMemo();
    expect(saveState.value).toBe('pending');
    window.dispatchEvent(new Event('pagehide'));
    expect(server.saves).toHaveLength(1);
    expect(JSON.parse(localStorage.getItem(STORAGE) ?? '[]')).toMatchObject([{ callSid: 'CA1', text: '障害中のメモ' }]);
    stop();
  });

  it('left while a save is under way, sends the rest on the version that save stores', async () => {
    setMemoSaver(server.save);
    server.hold = true;
    type('一つ目');
    void flushMemo();
    await vi.advanceTimersByTimeAsync(0);
    type('一つ目と二つ目');
    window.dispatchEvent(new Event('pagehide'));
    expect(server.saves.map((d) => [d.text, d.version])).toEqual([
      ['一つ目', 0],
      ['一つ目と二つ目', 1],
    ]);
    // Both land, in order: the memo holds all of it.
    server.hold = false;
    server.held.splice(0).forEach((h) => h.go());
    await vi.advanceTimersByTimeAsync(0);
    expect(server.memos.get('CA1')).toMatchObject({ text: '一つ目と二つ目', version: 2 });
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
