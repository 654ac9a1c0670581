//! Titles of linked records (an inquiry's account, a contact's account), fetched once and kept.

import { signal } from '@preact/signals';
import { getRecord } from '../api/crm';

const titles = signal<Record<string, string>>({});
const pending = new Set<string>();

/** Remembers a title the page already has (from a lookup or a search hit). */
export function rememberTitle(object: string, id: string, title: string): void {
  const key = `${object}/${id}`;
  if (titles.peek()[key] !== title) titles.value = { ...titles.peek(), [key]: title };
}

/** The title of a record, or `null` while it is being fetched (the caller re-renders then). */
export function titleOf(object: string, id: string): string | null {
  const key = `${object}/${id}`;
  const known = titles.value[key];
  if (known !== undefined) return known;
  if (!pending.has(key)) {
    pending.add(key);
    getRecord(object, id)
      .then((r) => rememberTitle(object, id, r.title))
      .catch(() => rememberTitle(object, id, id))
      .finally(() => pending.delete(key));
  }
  return null;
}
