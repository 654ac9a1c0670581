// A transfer offered on the live channel, before the softphone rings: shown at once, its screen
// transfer read ahead for the ring, and gone when the ring comes, when the transfer is no longer
// ringing for me, or when its ring time has run out. Reads are answered by the test; time is faked.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Handoff, LiveCall, Transfer } from '../../api/calls';
import { ApiError } from '../../api/client';
import type { OfferIo, PushedOffer } from './offer';
import { OFFER_FALLBACK_MS, OfferTracker } from './offer';

const CALL = 'CA0123456789abcdef0123456789abcdef';

const pushed: PushedOffer = { call: CALL, transfer_id: 'tr-1', mode: 'warm', from_operator: 'op-sato', from_name: '佐藤 花子' };

function transfer(over: Partial<Transfer> = {}): Transfer {
  return {
    id: 'tr-1',
    by: 'op-sato',
    from_label: 'operator',
    from_left: false,
    from_name: '佐藤 花子',
    from_operator: 'op-sato',
    handoff_id: 'ho-1',
    mode: 'warm',
    ring_until: new Date(Date.now() + 20_000).toISOString(),
    started_at: new Date().toISOString(),
    state: 'ringing',
    to_label: 'transfer',
    to_name: '田中 健太',
    to_operator: 'op-tanaka',
    ...over,
  };
}

function live(t: Transfer | null): LiveCall {
  return {
    call: { sid: CALL, direction: 'inbound', status: 'in-progress', started_at: new Date().toISOString() },
    participants: [],
    customer_held: true,
    held: ['customer'],
    operator_label: 'operator',
    consult_in_progress: false,
    transfer_in_progress: !!t,
    transfer: t,
    orphaned_since: null,
    reconnecting: false,
  };
}

const handoff = { id: 'ho-1' } as unknown as Handoff;

function tracker(answer: () => LiveCall) {
  const reads = { live: 0, handoff: 0 };
  const io: OfferIo = {
    liveCall: () => {
      reads.live += 1;
      return Promise.resolve(answer());
    },
    handoff: () => {
      reads.handoff += 1;
      return Promise.resolve(handoff);
    },
    now: () => Date.now(),
    later(fn, ms) {
      const t = setTimeout(fn, ms);
      return () => clearTimeout(t);
    },
  };
  return { offers: new OfferTracker(() => 'op-tanaka', io), reads };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('a transfer offered on the live channel', () => {
  it('is shown at once, with who hands it over and how', () => {
    const { offers } = tracker(() => live(transfer()));
    offers.heard(pushed, false);
    expect(offers.offer.value).toEqual({ call: CALL, transferId: 'tr-1', mode: 'warm', fromName: '佐藤 花子', fromOperator: 'op-sato' });
  });

  it('has its screen transfer read ahead, once, for the ring to use', async () => {
    const { offers, reads } = tracker(() => live(transfer()));
    offers.heard(pushed, false);
    await vi.advanceTimersByTimeAsync(0);
    expect(reads).toEqual({ live: 1, handoff: 1 });
    await expect(offers.prefetched('ho-1')).resolves.toBe(handoff);
    // The same offer pushed twice is one offer.
    offers.heard(pushed, false);
    await vi.advanceTimersByTimeAsync(0);
    expect(reads).toEqual({ live: 1, handoff: 1 });
  });

  it('goes when its ring arrives (the call model shows the ringing call from then on)', async () => {
    const { offers } = tracker(() => live(transfer()));
    offers.heard(pushed, false);
    await vi.advanceTimersByTimeAsync(0);
    offers.rang('tr-1');
    expect(offers.offer.value).toBeNull();
    // What was read ahead stays for the ring.
    expect(offers.prefetched('ho-1')).toBeDefined();
  });

  it('is ignored while this page has a call', () => {
    const { offers, reads } = tracker(() => live(transfer()));
    offers.heard(pushed, true);
    expect(offers.offer.value).toBeNull();
    expect(reads.live).toBe(0);
  });

  it('goes when the transfer is called off before it rang', async () => {
    let now = transfer();
    const { offers } = tracker(() => live(now));
    offers.heard(pushed, false);
    await vi.advanceTimersByTimeAsync(0);
    expect(offers.offer.value).not.toBeNull();
    now = transfer({ state: 'canceled', reason: 'canceled' });
    offers.callChanged(CALL);
    await vi.advanceTimersByTimeAsync(0);
    expect(offers.offer.value).toBeNull();
  });

  it('goes when the call is no longer mine to read (the transfer was called off)', async () => {
    let refused = false;
    const { offers } = tracker(() => {
      if (refused) throw new ApiError(403, 'forbidden', 'this is not your call');
      return live(transfer());
    });
    offers.heard(pushed, false);
    await vi.advanceTimersByTimeAsync(0);
    refused = true;
    offers.callChanged(CALL);
    await vi.advanceTimersByTimeAsync(0);
    expect(offers.offer.value).toBeNull();
  });

  it('goes at once when the call shows no transfer ringing for me', async () => {
    const { offers } = tracker(() => live(transfer({ to_operator: 'op-suzuki' })));
    offers.heard(pushed, false);
    await vi.advanceTimersByTimeAsync(0);
    expect(offers.offer.value).toBeNull();
  });

  it('goes when its ring time has run out without a ring', async () => {
    const { offers } = tracker(() => live(transfer()));
    offers.heard(pushed, false);
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(offers.offer.value).not.toBeNull();
    await vi.advanceTimersByTimeAsync(6000);
    expect(offers.offer.value).toBeNull();
  });

  it('goes after a while when the call cannot be read', async () => {
    const { offers } = tracker(() => {
      throw new Error('unreachable');
    });
    offers.heard(pushed, false);
    await vi.advanceTimersByTimeAsync(0);
    expect(offers.offer.value).not.toBeNull();
    await vi.advanceTimersByTimeAsync(OFFER_FALLBACK_MS);
    expect(offers.offer.value).toBeNull();
  });
});
