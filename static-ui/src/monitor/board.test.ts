// The board applies a read and a push by version: a read answered before a change the live
// channel then pushed never puts the older row (or memo) back on screen, and a newer read does.
import { afterEach, describe, expect, it, vi } from 'vitest';

const served: { board: Record<string, unknown>; held: Array<() => void> | null } = vi.hoisted(() => ({
  board: {},
  held: null,
}));
const pushed: { listener: ((m: unknown) => void) | null } = vi.hoisted(() => ({ listener: null }));

vi.mock('./api', () => ({
  // While `held` is a list, a read takes the board as it is when asked and answers when released.
  getBoard: () => {
    const b = served.board;
    if (!served.held) return Promise.resolve(b);
    return new Promise((resolve) => served.held?.push(() => resolve(b)));
  },
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
  liveState: { peek: () => 'open' },
}));

import { board, refreshBoard, startPolling, stopPolling } from './board';

const today = { day: '2026-12-03', inbound: 0, outbound: 0, answered: 0, abandoned: 0, average_handle_seconds: 0, average_wait_seconds: 0, hours: [] };
const op = (status: string, version: number, extra: Record<string, unknown> = {}) => ({
  id: 'op-sato',
  name: '佐藤 花子',
  role: 'operator',
  status,
  status_since: new Date().toISOString(),
  version,
  ...extra,
});
const call = (memo: string, memo_version: number) => ({
  sid: 'CA1',
  direction: 'inbound',
  customer_held: false,
  memo,
  memo_version,
});
const boardOf = (...operators: unknown[]) => ({ operators, queue: [], longest_wait_seconds: 0, today, at: new Date().toISOString() });
const row = () => board.value?.operators.find((o) => o.id === 'op-sato');

describe('board', () => {
  afterEach(() => {
    stopPolling(true);
    served.held = null;
  });

  it('keeps a pushed status over an older read that answers after it, and shows a newer read', async () => {
    served.board = boardOf(op('available', 5));
    startPolling();
    await vi.waitFor(() => expect(row()?.status).toBe('available'));

    // A read is asked for (the supervisor joined a call) and answered late, with the board as it was.
    served.held = [];
    refreshBoard();
    await vi.waitFor(() => expect(served.held?.length).toBe(1));
    // Meanwhile the operator answers a call: the server writes 通話中 and pushes the row.
    pushed.listener?.({ type: 'board_row_changed', operator: op('on_call', 6, { current_call: 'CA1' }) });
    expect(row()?.status).toBe('on_call');
    served.held.shift()?.();
    await vi.waitFor(() => expect(served.held?.length).toBe(0));
    await Promise.resolve();
    expect(row()?.status).toBe('on_call');

    // A push older than what is shown changes nothing either.
    pushed.listener?.({ type: 'board_row_changed', operator: op('available', 5) });
    expect(row()?.status).toBe('on_call');

    // A newer write read later is shown.
    served.held = null;
    served.board = boardOf(op('wrap_up', 7));
    refreshBoard();
    await vi.waitFor(() => expect(row()?.status).toBe('wrap_up'));
  });

  it('keeps a pushed memo over an older read of the same call', async () => {
    served.board = boardOf(op('on_call', 6, { current_call: 'CA1', call: call('お問い合わせ', 1) }));
    startPolling();
    await vi.waitFor(() => expect(row()?.call?.memo).toBe('お問い合わせ'));

    served.held = [];
    refreshBoard();
    await vi.waitFor(() => expect(served.held?.length).toBe(1));
    pushed.listener?.({ type: 'memo_changed', memo: { call: 'CA1', text: 'お問い合わせ、折り返し希望', version: 2 } });
    expect(row()?.call?.memo).toBe('お問い合わせ、折り返し希望');
    served.held.shift()?.();
    await vi.waitFor(() => expect(served.held?.length).toBe(0));
    await Promise.resolve();
    expect(row()?.call?.memo).toBe('お問い合わせ、折り返し希望');

    served.held = null;
    served.board = boardOf(op('on_call', 6, { current_call: 'CA1', call: call('お問い合わせ、折り返し希望。明日10時', 3) }));
    refreshBoard();
    await vi.waitFor(() => expect(row()?.call?.memo).toBe('お問い合わせ、折り返し希望。明日10時'));
  });
});
