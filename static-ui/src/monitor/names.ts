//! The names of the customers on the board: the board carries the account and contact ids of a
//! call, and each is read from the CRM once per visit of the page (a new call costs one request,
//! a call already on screen none).

import { signal } from '@preact/signals';
import { getRecord } from '../api/crm';

/** Titles by `object/id`; `null` while loading or when the record could not be read. */
const titles = signal<ReadonlyMap<string, string | null>>(new Map());
const requested = new Set<string>();

function load(object: 'account' | 'contact', id: string): void {
  const key = `${object}/${id}`;
  if (requested.has(key)) return;
  requested.add(key);
  getRecord(object, id)
    .then((r) => {
      titles.value = new Map(titles.value).set(key, r.title);
    })
    .catch(() => {
      // Shown without a name; a record deleted meanwhile is not worth an error on the board.
      titles.value = new Map(titles.value).set(key, null);
    });
}

/** The account and contact names of a call, as far as they are known yet. */
export function customerNames(accountId?: string, contactId?: string): { account: string | null; contact: string | null } {
  if (accountId) load('account', accountId);
  if (contactId) load('contact', contactId);
  const map = titles.value;
  return {
    account: accountId ? (map.get(`account/${accountId}`) ?? null) : null,
    contact: contactId ? (map.get(`contact/${contactId}`) ?? null) : null,
  };
}

/** Forgets the names (the page is left). */
export function forgetNames(): void {
  requested.clear();
  titles.value = new Map();
}
