//! One ticking clock for the whole page (the information region's clock and the call timer).

import { signal } from '@preact/signals';

/** Milliseconds since the epoch, updated every second while {@link startClock} runs. */
export const now = signal(Date.now());

let timer: ReturnType<typeof setInterval> | null = null;

/** Starts ticking (aligned to the second); returns the stop function. */
export function startClock(): () => void {
  if (timer !== null) return () => undefined;
  const tick = () => {
    now.value = Date.now();
  };
  tick();
  const align = setTimeout(() => {
    tick();
    timer = setInterval(tick, 1000);
  }, 1000 - (Date.now() % 1000));
  return () => {
    clearTimeout(align);
    if (timer !== null) clearInterval(timer);
    timer = null;
  };
}
