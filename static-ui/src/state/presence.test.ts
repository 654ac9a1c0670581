// The operator is told once when the system took them off a call by itself (they answered
// after the caller had already hung up), and not again on the next read of their status; and
// once when routing handed them a callback request in its caller's place.
import { afterEach, describe, expect, it, vi } from 'vitest';

const served: { op: Record<string, unknown>; held: Array<() => void> | null } = vi.hoisted(() => ({
  op: {},
  held: null,
}));
const pushed: { listener: ((m: unknown) => void) | null } = vi.hoisted(() => ({ listener: null }));

vi.mock('../api/operators', () => ({
  // While `held` is a list, a read takes the record as it is when asked and answers when released.
  me: () => {
    const op = served.op;
    if (!served.held) return Promise.resolve(op);
    return new Promise((resolve) => served.held?.push(() => resolve(op)));
  },
  setStatus: () => Promise.resolve(served.op),
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
}));

import { lang } from '../i18n';
import { notice } from './notice';
import { handedCallback, presence, refreshPresence, startPresenceSync } from './presence';

const base = { id: 'op-sato', name: '佐藤 花子', role: 'operator', status_since: new Date().toISOString(), version: 3 };

describe('presence', () => {
  let stop: (() => void) | null = null;
  afterEach(() => {
    stop?.();
    stop = null;
    notice.value = null;
  });

  it('says once that a call whose caller had gone was ended, and not an old release', async () => {
    lang.value = 'ja';
    const at = new Date(Date.now() - 3000).toISOString();
    served.op = { ...base, status: 'available', released_call: 'CA1', released_at: at, released_reason: 'customer_gone' };
    stop = startPresenceSync();
    await vi.waitFor(() => expect(presence.value).toBe('available'));
    expect(notice.value?.kind).toBe('warn');
    expect(notice.value?.text).toContain('お客様はすでに切断されていたため');

    notice.value = null;
    await refreshPresence();
    expect(notice.value).toBeNull();

    const old = new Date(Date.now() - 10 * 60_000).toISOString();
    served.op = { ...base, status: 'away', released_call: 'CA2', released_at: old, released_reason: 'customer_gone' };
    await refreshPresence();
    expect(presence.value).toBe('away');
    expect(notice.value).toBeNull();
  });

  it('says once that routing handed me a callback request, and names it for the task list', async () => {
    lang.value = 'ja';
    served.op = { ...base, status: 'away', callback_task: 'CA9', version: 8 };
    stop = startPresenceSync();
    await vi.waitFor(() => expect(handedCallback.value).toBe('CA9'));
    expect(notice.value?.kind).toBe('info');
    expect(notice.value?.text).toContain('折り返し依頼をお渡ししました');

    notice.value = null;
    await refreshPresence();
    expect(notice.value).toBeNull();

    // Once they dial it (or change their presence) it is theirs no more.
    served.op = { ...base, status: 'on_call', version: 9 };
    await refreshPresence();
    expect(handedCallback.value).toBeNull();
  });

  it('keeps a pushed status over an older read that answers after it, and reads again when asked meanwhile', async () => {
    served.op = { ...base, status: 'available', version: 5 };
    stop = startPresenceSync();
    await vi.waitFor(() => expect(presence.value).toBe('available'));

    // A read is asked for (the call rang) and answered late, with the record as it was.
    served.held = [];
    const slow = refreshPresence();
    // Meanwhile the operator answers: the server writes 通話中 and pushes it.
    served.op = { ...base, status: 'on_call', version: 6 };
    pushed.listener?.({ type: 'presence_changed', operator: served.op });
    expect(presence.value).toBe('on_call');
    // The call asks again while the first read is still out: it is read once more after it.
    const again = refreshPresence();
    served.held.shift()?.();
    await vi.waitFor(() => expect(served.held?.length).toBe(1));
    expect(presence.value).toBe('on_call');
    served.held.shift()?.();
    served.held = null;
    await Promise.all([slow, again]);
    expect(presence.value).toBe('on_call');

    // A newer write read later is shown.
    served.op = { ...base, status: 'wrap_up', version: 7 };
    await refreshPresence();
    expect(presence.value).toBe('wrap_up');
  });
});
