//! A transfer offered to this operator, as the live channel tells it (`transfer_offered`): the
//! server records the transfer before it asks Twilio to ring the target's softphone, so the
//! offer usually arrives before the ring. The page shows it at once (the incoming dialog names
//! who hands the call over, and says the phone is about to ring — or that it cannot, with the
//! softphone disconnected) and reads the call and its screen transfer meanwhile, so that when
//! the ring comes the customer and the handed-over draft are there without another wait.
//!
//! The offer goes when its ring arrives (the call model takes over), when the call's live state
//! shows the transfer is no longer ringing for this operator, or when its ring time has run out.

import { signal } from '@preact/signals';
import type { Handoff, LiveCall, TransferMode } from '../../api/calls';
import { ApiError } from '../../api/client';
import type { LiveMessage } from '../../live';

/** The offer as pushed. */
export type PushedOffer = Extract<LiveMessage, { type: 'transfer_offered' }>['offer'];

/** A transfer offered to me whose ring has not arrived. */
export interface TransferOfferShown {
  /** The customer's CallSid. */
  call: string;
  transferId: string;
  mode: TransferMode;
  fromName: string;
  fromOperator: string;
}

/** What the tracker reads and how it waits (the API and the clock; fakes in tests). */
export interface OfferIo {
  liveCall(sid: string): Promise<LiveCall>;
  handoff(id: string): Promise<Handoff>;
  now(): number;
  later(fn: () => void, ms: number): () => void;
}

/** How long an offer stays without a ring when the call's ring time is not known. */
export const OFFER_FALLBACK_MS = 45_000;
/** An offer outlives its ring time by this much (Twilio's own ring may end a little later). */
const RING_MARGIN_MS = 5000;

/** Follows the transfer offered to me until its ring arrives or it is over. */
export class OfferTracker {
  /** The offer shown, or `null`. */
  readonly offer = signal<TransferOfferShown | null>(null);
  private handoffs = new Map<string, Promise<Handoff>>();
  private cancelExpiry: (() => void) | null = null;

  constructor(
    private readonly me: () => string,
    private readonly io: OfferIo,
  ) {}

  /** An offer pushed on the live channel; `busy` when this page has a call already (ignored then). */
  heard(o: PushedOffer, busy: boolean): void {
    if (busy || this.offer.peek()?.transferId === o.transfer_id) return;
    this.clear();
    this.offer.value = {
      call: o.call,
      transferId: o.transfer_id,
      mode: o.mode === 'cold' ? 'cold' : 'warm',
      fromName: o.from_name,
      fromOperator: o.from_operator,
    };
    this.expireIn(OFFER_FALLBACK_MS);
    void this.check(o.call, o.transfer_id);
  }

  /** The softphone rang for this transfer: the call model shows it from now on. */
  rang(transferId: string): void {
    if (this.offer.peek()?.transferId === transferId) this.clear();
  }

  /** The call of the offer changed: it is read again (the transfer may have failed or been called off). */
  callChanged(sid: string): void {
    const o = this.offer.peek();
    if (o && o.call === sid) void this.check(o.call, o.transferId);
  }

  /** The screen transfer read ahead for this id, if any. */
  prefetched(handoffId: string): Promise<Handoff> | undefined {
    return this.handoffs.get(handoffId);
  }

  /** Forgets the offer (and what was read ahead, once its ring has used it). */
  clear(): void {
    this.cancelExpiry?.();
    this.cancelExpiry = null;
    this.offer.value = null;
  }

  /** Forgets everything (the page stops). */
  reset(): void {
    this.clear();
    this.handoffs.clear();
  }

  private expireIn(ms: number): void {
    this.cancelExpiry?.();
    const id = this.offer.peek()?.transferId;
    this.cancelExpiry = this.io.later(() => {
      if (this.offer.peek()?.transferId === id) this.clear();
    }, ms);
  }

  /** Reads the call: still ringing for me? Then its screen transfer is read ahead. */
  private async check(sid: string, transferId: string): Promise<void> {
    let l: LiveCall;
    try {
      l = await this.io.liveCall(sid);
    } catch (e) {
      // Refused: the call is not one I am offered any more (the transfer was called off or
      // failed). Unreachable: it stays until it is heard of again, or runs out.
      if (e instanceof ApiError && (e.status === 403 || e.status === 404) && this.offer.peek()?.transferId === transferId) {
        this.clear();
      }
      return;
    }
    if (this.offer.peek()?.transferId !== transferId) return;
    const t = l.transfer;
    if (!t || t.id !== transferId || t.state !== 'ringing' || t.to_operator !== this.me() || l.call.ended_at) {
      this.clear();
      return;
    }
    const until = Date.parse(t.ring_until);
    if (!Number.isNaN(until)) this.expireIn(Math.max(0, until - this.io.now()) + RING_MARGIN_MS);
    const h = t.handoff_id;
    if (h && !this.handoffs.has(h)) {
      const read = this.io.handoff(h);
      // A failed read is not kept: the ring reads it again.
      read.catch(() => this.handoffs.delete(h));
      this.handoffs.set(h, read);
      // Only the latest few are kept.
      for (const k of [...this.handoffs.keys()].slice(0, -4)) this.handoffs.delete(k);
    }
  }
}
