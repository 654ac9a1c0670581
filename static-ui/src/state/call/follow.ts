//! Following a call's live state on the server: read at once after an action, a phone event or a
//! `call_changed` pushed on the live channel, and on a schedule only while the channel is down
//! (every second without one, as before; the page passes the live channel's fallback period),
//! slowed down while the API answers 429. A read that started before an action finished is
//! stale once the action is done ({@link LiveFollower.discard}), and is not applied.

import type { LiveCall } from '../../api/calls';
import { pollPenaltyMs } from '../../api/client';

/** How often a call's live state is read while it lasts, without a live channel. */
export const FOLLOW_MS = 1000;

/** The period of scheduled reads: a fixed one, or asked before each read (`null`: none now). */
export type FollowEvery = number | (() => number | null);

/** Reads one call's live state over and over and hands each fresh read on. */
export class LiveFollower {
  private sid: string | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private started = 0;
  private applied = 0;

  constructor(
    /** Reads the live state of a call. */
    private readonly read: (sid: string) => Promise<LiveCall>,
    /** Receives each read that is not stale. */
    private readonly onRead: (l: LiveCall) => void,
    /** Receives a refused read of the call being followed. */
    private readonly onRefused: (sid: string, error: unknown) => void,
    private readonly everyMs: FollowEvery = FOLLOW_MS,
  ) {}

  /** The call followed now, if any. */
  get following(): string | null {
    return this.sid;
  }

  /** The wait before the next scheduled read: longer while the API answers 429. */
  private nextIn(): number | null {
    const every = typeof this.everyMs === 'number' ? this.everyMs : this.everyMs();
    return every === null ? null : every + pollPenaltyMs();
  }

  /** Follows this call (reading it now). */
  follow(sid: string): void {
    if (this.sid !== sid) {
      this.stop();
      this.sid = sid;
    }
    void this.poll();
  }

  /** Follows no call. */
  stop(): void {
    this.sid = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Reads under way are stale: an action changed the call since they started. */
  discard(): void {
    this.applied = ++this.started;
  }

  /** Reads the live state now; resolves once it is applied (or found stale). */
  poll(): Promise<void> {
    const sid = this.sid;
    if (!sid) return Promise.resolve();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const seq = ++this.started;
    return this.read(sid)
      .then((l) => {
        if (this.sid !== sid || seq < this.applied) return;
        this.applied = seq;
        this.onRead(l);
      })
      .catch((e: unknown) => {
        if (this.sid === sid) this.onRefused(sid, e);
      })
      .finally(() => {
        const every = this.nextIn();
        if (this.sid === sid && !this.timer && every !== null) this.timer = setTimeout(() => void this.poll(), every);
      });
  }
}
