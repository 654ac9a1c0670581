//! The 架電リスト button. The call lists live in the `dial-lists` function; when the server
//! this page talks to does not serve them (`/api/dial-lists` answers 404), the button stays
//! disabled and says so.

import { computed, signal } from '@preact/signals';
import { ApiError, get } from '../api/client';
import { t } from '../i18n';
import { registerOperations } from './operations';

/** `unknown` until asked, then whether the server has call lists. */
export const callListsServed = signal<'unknown' | 'yes' | 'no'>('unknown');

/** Asks the server whether it serves call lists and registers the menu entry; returns the stop function. */
export function startCallListMenu(): () => void {
  get('/api/dial-lists', { limit: 1 })
    .then(() => (callListsServed.value = 'yes'))
    .catch((e: unknown) => {
      callListsServed.value = e instanceof ApiError && e.status === 404 ? 'no' : 'unknown';
    });
  return registerOperations({
    callList: {
      run: () => undefined,
      disabledReason: computed(() =>
        callListsServed.value === 'no' ? t('callList.notServed') : callListsServed.value === 'yes' ? t('callList.notInScreen') : t('callList.checking'),
      ),
    },
  });
}
