// The live-state follower without a network: reads are promises the test settles by hand.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LiveCall } from '../../api/calls';
import { post, resetThrottle, transport } from '../../api/client';
import { session } from '../../auth';
import { LiveFollower } from './follow';

function liveOf(sid: string, held: boolean): LiveCall {
  return {
    call: { sid, direction: 'inbound', status: 'in_progress', started_at: '2024-05-01T10:00:00Z' },
    participants: [],
    customer_held: held,
    held: held ? ['customer'] : [],
    operator_label: 'operator',
    consult_in_progress: false,
    transfer_in_progress: false,
    transfer: null,
    orphaned_since: null,
    reconnecting: false,
  };
}

/** A follower whose reads wait until the test answers them. */
function follower() {
  const reads: { sid: string; answer: (l: LiveCall) => void; refuse: (e: unknown) => void }[] = [];
  const applied: LiveCall[] = [];
  const refused: string[] = [];
  const f = new LiveFollower(
    (sid) => new Promise<LiveCall>((answer, refuse) => reads.push({ sid, answer, refuse })),
    (l) => applied.push(l),
    (sid) => refused.push(sid),
    1000,
  );
  return { f, reads, applied, refused };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('following a call', () => {
  it('reads at once, then again every second while the call is followed', async () => {
    vi.useFakeTimers();
    const { f, reads, applied } = follower();

    f.follow('CA1');
    expect(reads).toHaveLength(1);
    reads[0].answer(liveOf('CA1', false));
    await vi.advanceTimersByTimeAsync(0);
    expect(applied).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(1000);
    expect(reads).toHaveLength(2);

    f.stop();
    reads[1].answer(liveOf('CA1', true));
    await vi.advanceTimersByTimeAsync(5000);
    expect(applied).toHaveLength(1);
    expect(reads).toHaveLength(2);
  });

  it('does not apply a read that started before an action finished', async () => {
    const { f, reads, applied } = follower();
    f.follow('CA1');

    // The operator holds the customer meanwhile: the read under way is stale.
    f.discard();
    reads[0].answer(liveOf('CA1', false));
    await Promise.resolve();
    await Promise.resolve();
    expect(applied).toEqual([]);

    // A read started after the action is applied, and an older one answering later is not.
    const first = f.poll();
    const second = f.poll();
    reads[2].answer(liveOf('CA1', true));
    await second;
    reads[1].answer(liveOf('CA1', false));
    await first;
    expect(applied).toEqual([liveOf('CA1', true)]);
    f.stop();
  });

  it('reports a refused read of the followed call, and none of a call no longer followed', async () => {
    const { f, reads, refused } = follower();
    f.follow('CA1');
    reads[0].refuse(new Error('403'));
    await Promise.resolve();
    await Promise.resolve();
    expect(refused).toEqual(['CA1']);

    f.follow('CA2');
    f.stop();
    reads[reads.length - 1].refuse(new Error('403'));
    await Promise.resolve();
    await Promise.resolve();
    expect(refused).toEqual(['CA1']);
  });

  it('reads less often while the API answers 429, and as often as before once it does not', async () => {
    vi.useFakeTimers();
    const fetch = transport.fetch;
    session.value = { token: 't', user: { id: 'op-sato', name: '佐藤', role: 'operator' }, expiresAt: null };
    const { f, reads } = follower();
    try {
      f.follow('CA1');
      reads[0].answer(liveOf('CA1', false));
      await vi.advanceTimersByTimeAsync(0);
      // A write is throttled (not repeated): polling backs off by 2 s.
      transport.fetch = () => Promise.resolve(new Response('{"message":"Too Many Requests"}', { status: 429 }));
      await post('/api/calls/CA1/hold', {}).catch(() => undefined);
      await vi.advanceTimersByTimeAsync(1000);
      expect(reads).toHaveLength(2);
      reads[1].answer(liveOf('CA1', false));
      await vi.advanceTimersByTimeAsync(1000);
      expect(reads).toHaveLength(2);
      await vi.advanceTimersByTimeAsync(2000);
      expect(reads).toHaveLength(3);
    } finally {
      f.stop();
      transport.fetch = fetch;
      resetThrottle();
      session.value = null;
    }
  });
});
