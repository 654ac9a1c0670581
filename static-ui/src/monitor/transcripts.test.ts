// The board shows a call's transcript from before it was opened: a card with an answered call on
// a line that transcribes reads the call's last lines once, the lines pushed meanwhile are kept
// without doubling, no read is made for a line that does not transcribe or a call still ringing,
// and a call first seen answered later is read then.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type * as ClientModule from '../api/client';

const reads: { calls: Array<{ path: string; query: unknown; resolve: (v: unknown) => void }> } = vi.hoisted(() => ({
  calls: [],
}));
const pushed: { listener: ((m: unknown) => void) | null } = vi.hoisted(() => ({ listener: null }));

vi.mock('../api/client', async (original) => ({
  ...(await original<typeof ClientModule>()),
  get: (path: string, query?: unknown) =>
    new Promise((resolve) => {
      reads.calls.push({ path, query, resolve });
    }),
}));

vi.mock('../live', () => ({
  follow: () => () => undefined,
  onLive: (listener: (m: unknown) => void) => {
    pushed.listener = listener;
    return () => {
      pushed.listener = null;
    };
  },
  pollWhileDown: () => () => undefined,
  liveState: { peek: () => 'open', value: 'open' },
}));

import type { Board, BoardOperator } from './api';
import { board } from './board';
import { settings } from '../state/settings';
import type { Settings } from '../api/types';
import { boardTranscripts, startBoardTranscripts } from './transcripts';

const MAIN = '+81368000001';
const SUPPORT = '+81368000002';

function line(call: string, seq: number, speaker: 'customer' | 'operator' = 'customer') {
  return { call, seq, speaker, text: `${seq}番目`, at: '2026-12-03T01:00:00Z' };
}

function op(id: string, call?: { sid: string; line: string; answered: boolean }): BoardOperator {
  return {
    id,
    name: id,
    role: 'operator',
    status: call ? 'on_call' : 'available',
    status_since: '2026-12-03T00:00:00Z',
    version: 1,
    call: call && {
      sid: call.sid,
      direction: 'inbound',
      line: call.line,
      answered_at: call.answered ? '2026-12-03T01:00:00Z' : undefined,
      customer_held: false,
      memo: '',
    },
  };
}

function show(operators: BoardOperator[]) {
  board.value = { operators, queue: [], queues: [], today: {} } as unknown as Board;
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('the board transcripts', () => {
  let stop: (() => void) | null = null;
  afterEach(() => {
    stop?.();
    stop = null;
    reads.calls = [];
    board.value = null;
    settings.value = null;
  });

  it('reads the last lines of an answered call on a transcribing line once and keeps pushed lines without doubling', async () => {
    // Given the line 代表 transcribes and サポート does not, and the board shows Sato answered on
    // 代表, Kato answered on サポート and Suzuki still ringing on 代表
    settings.value = {
      lines: [
        { id: 'main', number: MAIN, transcription: true },
        { id: 'support', number: SUPPORT, transcription: false },
      ],
    } as unknown as Settings;
    show([
      op('op-sato', { sid: 'CA1', line: MAIN, answered: true }),
      op('op-kato', { sid: 'CA2', line: SUPPORT, answered: true }),
      op('op-suzuki', { sid: 'CA3', line: MAIN, answered: false }),
    ]);
    // When the board's transcripts start (the page opened mid-call)
    stop = startBoardTranscripts();
    // Then Sato's call alone is read, for its last three lines
    expect(reads.calls.map((r) => [r.path, r.query])).toEqual([['/api/memos/CA1/transcript', { last: 3 }]]);
    // And a line pushed while the read is under way, one of those read among them, is kept once
    pushed.listener?.({ type: 'transcript_line', line: line('CA1', 5) });
    pushed.listener?.({ type: 'transcript_line', line: line('CA1', 6, 'operator') });
    reads.calls[0].resolve([line('CA1', 3), line('CA1', 4), line('CA1', 5)]);
    await flush();
    expect(boardTranscripts.value.CA1.map((l) => l.seq)).toEqual([4, 5, 6]);

    // When the board changes without a new call, nothing more is read
    show([
      op('op-sato', { sid: 'CA1', line: MAIN, answered: true }),
      op('op-kato', { sid: 'CA2', line: SUPPORT, answered: true }),
      op('op-suzuki', { sid: 'CA3', line: MAIN, answered: false }),
      op('op-mori'),
    ]);
    expect(reads.calls).toHaveLength(1);

    // When Suzuki answers, their call is read then
    show([
      op('op-sato', { sid: 'CA1', line: MAIN, answered: true }),
      op('op-suzuki', { sid: 'CA3', line: MAIN, answered: true }),
    ]);
    expect(reads.calls.map((r) => r.path)).toEqual(['/api/memos/CA1/transcript', '/api/memos/CA3/transcript']);
    reads.calls[1].resolve([]);
    await flush();

    // And a call that left the board is forgotten
    show([op('op-suzuki', { sid: 'CA3', line: MAIN, answered: true })]);
    expect(boardTranscripts.value.CA1).toBeUndefined();
  });
});
