//! Data search (データ検索): one configured object, a query, and pages of hits.

import { computed, signal } from '@preact/signals';
import { search as apiSearch } from '../api/crm';
import { errorText } from '../api/errors';
import type { Hit } from '../api/types';
import { settings } from './settings';

export const chosenObject = signal<string | null>(null);
/** The object searched: the chosen one, or the first configured. */
export const searchObject = computed(() => {
  const objs = settings.value?.search ?? [];
  return objs.find((o) => o.object === chosenObject.value)?.object ?? objs[0]?.object ?? null;
});
export const query = signal('');
export const hits = signal<Hit[]>([]);
/** Whether a search has run since the last change of object. */
export const searched = signal(false);
export const searching = signal(false);
export const searchError = signal<string | null>(null);
/** 0-based page shown. */
export const page = signal(0);
/** The cursor that fetched each page (page 0 has none); the next page's cursor at the end. */
const cursors = signal<(string | undefined)[]>([undefined]);
export const hasNext = computed(() => cursors.value[page.value + 1] !== undefined);
export const hasPrev = computed(() => page.value > 0);

export const PAGE_SIZE = 20;
let seq = 0;
let lastQuery = '';
let lastObject = '';

async function fetchPage(n: number): Promise<void> {
  const object = lastObject;
  const mine = ++seq;
  searching.value = true;
  searchError.value = null;
  try {
    const cursor = cursors.peek()[n];
    const res = await apiSearch(object, lastQuery, { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
    if (mine !== seq) return;
    hits.value = res.items;
    page.value = n;
    const next = cursors.peek().slice(0, n + 1);
    next[n + 1] = res.cursor ?? undefined;
    cursors.value = next;
    searched.value = true;
  } catch (e) {
    if (mine !== seq) return;
    searchError.value = errorText(e);
  } finally {
    if (mine === seq) searching.value = false;
  }
}

/** Searches from the first page. */
export function runSearch(): Promise<void> {
  const object = searchObject.peek();
  if (!object) return Promise.resolve();
  lastQuery = query.peek().trim();
  lastObject = object;
  cursors.value = [undefined];
  return fetchPage(0);
}

export function nextPage(): Promise<void> {
  return hasNext.peek() ? fetchPage(page.peek() + 1) : Promise.resolve();
}

export function prevPage(): Promise<void> {
  return hasPrev.peek() ? fetchPage(page.peek() - 1) : Promise.resolve();
}

export function chooseObject(object: string): void {
  chosenObject.value = object;
  hits.value = [];
  searched.value = false;
  searchError.value = null;
  page.value = 0;
  cursors.value = [undefined];
}
