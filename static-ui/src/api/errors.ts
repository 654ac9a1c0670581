//! What the page says about an error: the translated message for the API's error code, with
//! the server's own message as the fallback (and as the detail where the code alone is vague).

import { hasMessage, t } from '../i18n';
import { ApiError } from './client';

/** Codes whose server message carries the detail a person needs (shown after the text). */
const WITH_DETAIL = new Set(['invalid_settings', 'rejected_by_twilio', 'barred_country', 'premium_rate_number']);

/** A message for any error, in the current language. */
export function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    const key = `err.${e.code}`;
    if (hasMessage(key)) return t(key, WITH_DETAIL.has(e.code) ? { detail: e.message } : undefined);
    return e.message || t('err.internal');
  }
  if (e instanceof Error) return e.message;
  return String(e);
}

/** The server's own message when it adds to {@link errorText} (shown as a tooltip). */
export function errorDetail(e: unknown): string | undefined {
  if (e instanceof ApiError && hasMessage(`err.${e.code}`) && !WITH_DETAIL.has(e.code)) return e.message;
  return undefined;
}
