//! 手上げ: whether my hand is up for a supervisor. It is a mark on my operator record, so it
//! follows that record as presence does — pushed (`presence_changed`), read after each
//! reconnection and while the channel is down — and a supervisor joining my call lowers it.

import { signal } from '@preact/signals';
import type { Operator } from '../api/operators';
import { me, setHand } from '../api/operators';
import { follow, onLive, pollWhileDown } from '../live';

/** Since when my hand has been up, or `null`. */
export const handRaisedAt = signal<string | null>(null);

/** The version of the operator record the hand was last read from (older answers are dropped). */
let shownVersion = -1;

function apply(op: Pick<Operator, 'version' | 'hand_raised_at'>): void {
  if (op.version < shownVersion) return;
  shownVersion = op.version;
  handRaisedAt.value = op.hand_raised_at ?? null;
}

function read(): void {
  me().then(apply, () => undefined);
}

/** Raises my hand when it is down, lowers it when it is up; the server's answer is shown. */
export async function toggleHand(): Promise<boolean> {
  const raise = handRaisedAt.peek() === null;
  apply(await setHand(raise));
  return raise;
}

/** Follows my hand; returns the stop function. */
export function startHandSync(): () => void {
  read();
  const stopLive = follow(['presence'], read);
  const stopHearing = onLive((m) => {
    if (m.type === 'presence_changed') apply(m.operator);
  });
  const stopFallback = pollWhileDown(read, 30_000);
  return () => {
    stopFallback();
    stopHearing();
    stopLive();
    shownVersion = -1;
    handRaisedAt.value = null;
  };
}
