//! Customer info (取引先情報): the phone number being handled, what the CRM has under it, and
//! which account and contact the operator is looking at. The phone layer calls {@link popUp}
//! when a call arrives; the operator calls {@link lookUp} from the phone field.

import { batch, computed, signal } from '@preact/signals';
import { lookup as apiLookup } from '../api/crm';
import { errorText } from '../api/errors';
import type { Match, ScreenPop } from '../api/types';
import { onRecordSaved } from './events';

/** What is typed in the phone field. */
export const phoneInput = signal('');
/** The last lookup's answer; `null` before a lookup and after clearing. */
export const lookupResult = signal<ScreenPop | null>(null);
/** Whether a lookup is running. */
export const looking = signal(false);
/** Why the last lookup failed (already translated). */
export const lookupError = signal<string | null>(null);
/** The account the operator chose among the matches. */
export const accountId = signal<string | null>(null);
/** The contact the operator chose among the matches. */
export const contactId = signal<string | null>(null);
/** The CallSid of the call this customer info belongs to (set by the phone layer). */
export const callSid = signal<string | null>(null);

export const accountMatches = computed<Match[]>(() => lookupResult.value?.accounts ?? []);
export const contactMatches = computed<Match[]>(() => lookupResult.value?.contacts ?? []);
export const account = computed(() => accountMatches.value.find((m) => m.record.id === accountId.value) ?? null);
export const contact = computed(() => contactMatches.value.find((m) => m.record.id === contactId.value) ?? null);

/** Whose history and links: the looked-up number and the chosen account and contact. */
export interface CustomerSubject {
  phone: string | null;
  accountId: string | null;
  contactId: string | null;
}
export const subject = computed<CustomerSubject>(() => ({
  phone: lookupResult.value?.phone ?? null,
  accountId: accountId.value,
  contactId: contactId.value,
}));

/** How many calls a page of the history's calls tab lists. */
export const HISTORY_PAGE = 20;

let inFlight: AbortController | null = null;
/** The looked-up number survives a reload of the page (sessionStorage: this tab only). */
const STORAGE = 'console.customer';

/** The contact to show: the preferred one, else one of the chosen account, else one with no
 * account; never a contact of another account (the operator can still choose it). */
function pickContact(result: ScreenPop, account: string | null, prefer?: string | null): string | null {
  if (prefer && result.contacts.some((c) => c.record.id === prefer)) return prefer;
  if (!account) return result.contacts[0]?.record.id ?? null;
  const fit =
    result.contacts.find((c) => c.record.account_id === account) ?? result.contacts.find((c) => !c.record.account_id);
  return fit?.record.id ?? null;
}

/**
 * Looks up a number (the phone field's text by default) and shows what the CRM has. `prefer`
 * chooses an account or contact among several matches (after registering one with [+]).
 */
export async function lookUp(phone?: string, prefer: { account?: string; contact?: string } = {}): Promise<void> {
  const number = (phone ?? phoneInput.value).trim();
  if (phone !== undefined) phoneInput.value = phone;
  if (!number) {
    lookupError.value = null;
    return;
  }
  inFlight?.abort();
  const ctl = new AbortController();
  inFlight = ctl;
  looking.value = true;
  lookupError.value = null;
  try {
    // With the first page of the number's calls, which the history's calls tab shows.
    const result = await apiLookup(number, ctl.signal, HISTORY_PAGE);
    if (ctl.signal.aborted) return;
    const acc =
      (prefer.account && result.accounts.some((a) => a.record.id === prefer.account) ? prefer.account : null) ??
      result.accounts[0]?.record.id ??
      null;
    // One change of the subject: the history follows it once, from the calls the lookup brought.
    batch(() => {
      lookupResult.value = result;
      accountId.value = acc;
      contactId.value = pickContact(result, acc, prefer.contact);
    });
    phoneInput.value = result.display;
    sessionStorage.setItem(STORAGE, result.phone);
  } catch (e) {
    if (ctl.signal.aborted) return;
    lookupResult.value = null;
    accountId.value = null;
    contactId.value = null;
    lookupError.value = errorText(e);
  } finally {
    if (inFlight === ctl) {
      inFlight = null;
      looking.value = false;
    }
  }
}

/**
 * The screen pop of a call: the call layer calls this with the customer's number (and, for a
 * screen transfer, the account and contact the first operator had chosen).
 */
export function popUp(phone: string, sid?: string, prefer: { account?: string; contact?: string } = {}): Promise<void> {
  callSid.value = sid ?? null;
  return lookUp(phone, prefer);
}

/** Empties the phone field and everything shown for it. */
export function clearCustomer(): void {
  inFlight?.abort();
  inFlight = null;
  looking.value = false;
  phoneInput.value = '';
  lookupResult.value = null;
  lookupError.value = null;
  accountId.value = null;
  contactId.value = null;
  callSid.value = null;
  sessionStorage.removeItem(STORAGE);
}

/** Shows again the number looked up before a reload. */
export function restoreCustomer(): void {
  const phone = sessionStorage.getItem(STORAGE);
  if (phone && !lookupResult.peek() && !looking.peek()) void lookUp(phone);
}

/** Chooses an account among the matches; the contact follows when it belongs to another account. */
export function chooseAccount(id: string | null): void {
  accountId.value = id;
  const r = lookupResult.value;
  if (r && id) {
    const c = contact.value;
    if (!c || (c.record.account_id && c.record.account_id !== id)) contactId.value = pickContact(r, id);
  }
}

export function chooseContact(id: string | null): void {
  contactId.value = id;
  const acc = contact.value?.record.account_id;
  if (acc && accountMatches.value.some((a) => a.record.id === acc)) accountId.value = acc;
}

// An account or contact registered (or changed) while a number is shown: look the number up
// again so it appears, chosen.
onRecordSaved((record, created) => {
  const r = lookupResult.value;
  if (!r || (record.object !== 'account' && record.object !== 'contact')) return;
  const prefer =
    record.object === 'account'
      ? { account: record.id }
      : { contact: record.id, ...(record.account_id ? { account: record.account_id } : {}) };
  if (created || accountId.value === record.id || contactId.value === record.id) {
    void lookUp(r.phone, prefer);
  }
});
