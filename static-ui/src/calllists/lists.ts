//! The call lists on the administration page, and which panel is open below them (a new list,
//! editing one, deleting one, importing into one, or its targets).

import { signal } from '@preact/signals';
import { errorText } from '../api/errors';
import type { CallList } from './api';
import { listLists, readList } from './api';

export type Panel =
  | { kind: 'new' }
  | { kind: 'edit'; list: CallList }
  | { kind: 'delete'; list: CallList }
  | { kind: 'import'; list: CallList }
  | { kind: 'targets'; list: CallList };

export const lists = signal<CallList[] | null>(null);
/** Where the next page of lists starts; `null` when every list is shown. */
export const listsCursor = signal<string | null>(null);
export const listsError = signal<string | null>(null);
export const listsLoading = signal(false);
export const panel = signal<Panel | null>(null);

/** Reads the first page of lists (again). */
export async function loadLists(): Promise<void> {
  listsLoading.value = true;
  listsError.value = null;
  try {
    const page = await listLists();
    lists.value = page.items;
    listsCursor.value = page.cursor ?? null;
  } catch (e) {
    listsError.value = errorText(e);
  } finally {
    listsLoading.value = false;
  }
}

/** Reads the next page of lists. */
export async function moreLists(): Promise<void> {
  const cursor = listsCursor.peek();
  if (!cursor) return;
  listsLoading.value = true;
  try {
    const page = await listLists(cursor);
    lists.value = [...(lists.peek() ?? []), ...page.items];
    listsCursor.value = page.cursor ?? null;
  } catch (e) {
    listsError.value = errorText(e);
  } finally {
    listsLoading.value = false;
  }
}

/** Puts a list as the API now has it in place (or first, when it is new). */
export function putList(l: CallList): void {
  const all = lists.peek() ?? [];
  lists.value = all.some((x) => x.id === l.id) ? all.map((x) => (x.id === l.id ? l : x)) : [l, ...all];
}

export function dropList(id: string): void {
  lists.value = (lists.peek() ?? []).filter((x) => x.id !== id);
}

/** Reads one list's counts again (after an import). */
export async function refreshList(id: string): Promise<void> {
  try {
    putList(await readList(id));
  } catch (e) {
    listsError.value = errorText(e);
  }
}
