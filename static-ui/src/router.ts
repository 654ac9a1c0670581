//! A very small router over the History API: the page's screens (sign-in, operator, admin, call
//! list administration, monitoring, reports), and the local runtime answers every unknown path with
//! index.html.

import { signal } from '@preact/signals';

/** The current path (`/`, `/admin`, `/admin/call-lists`, `/monitor`, `/reports`, `/sign-in`). */
export const path = signal(location.pathname);

/** Goes to another screen without reloading the page. */
export function navigate(to: string, replace = false): void {
  if (to === location.pathname + location.search) return;
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  path.value = location.pathname;
}

addEventListener('popstate', () => {
  path.value = location.pathname;
});
