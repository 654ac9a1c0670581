//! The record shown in Data search's detail view, and the list it was opened from (search
//! results or a history tab), so previous / next step through that list.

import { computed, signal } from '@preact/signals';
import { getRecord } from '../api/crm';
import { errorText } from '../api/errors';
import type { CallSummary, CrmRecord } from '../api/types';
import { onRecordSaved } from './events';

export type BrowseItem = { kind: 'record'; object: string; id: string } | { kind: 'call'; call: CallSummary };

/** The list a detail was opened from. */
export const browseList = signal<BrowseItem[] | null>(null);
export const browseIndex = signal(0);
/** The record of the current item (records only). */
export const detailRecord = signal<CrmRecord | null>(null);
export const detailLoading = signal(false);
export const detailError = signal<string | null>(null);

export const currentItem = computed(() => browseList.value?.[browseIndex.value] ?? null);
export const canPrev = computed(() => !!browseList.value && browseIndex.value > 0);
export const canNext = computed(() => !!browseList.value && browseIndex.value < browseList.value.length - 1);

let seq = 0;

async function load(): Promise<void> {
  const item = currentItem.peek();
  detailError.value = null;
  if (!item || item.kind === 'call') {
    detailRecord.value = null;
    detailLoading.value = false;
    return;
  }
  const mine = ++seq;
  detailLoading.value = true;
  try {
    const r = await getRecord(item.object, item.id);
    if (mine !== seq) return;
    detailRecord.value = r;
  } catch (e) {
    if (mine !== seq) return;
    detailRecord.value = null;
    detailError.value = errorText(e);
  } finally {
    if (mine === seq) detailLoading.value = false;
  }
}

/** Shows item `index` of `list` in the detail view. */
export function showDetail(list: BrowseItem[], index: number): Promise<void> {
  browseList.value = list;
  browseIndex.value = Math.max(0, Math.min(index, list.length - 1));
  return load();
}

/** Shows one record on its own (no previous / next). */
export function showRecord(object: string, id: string): Promise<void> {
  return showDetail([{ kind: 'record', object, id }], 0);
}

/** Steps to the previous (-1) or next (+1) item of the list. */
export function step(delta: -1 | 1): Promise<void> {
  const list = browseList.peek();
  if (!list) return Promise.resolve();
  const i = browseIndex.peek() + delta;
  if (i < 0 || i >= list.length) return Promise.resolve();
  browseIndex.value = i;
  return load();
}

export function closeDetail(): void {
  seq++;
  browseList.value = null;
  browseIndex.value = 0;
  detailRecord.value = null;
  detailError.value = null;
  detailLoading.value = false;
}

onRecordSaved((record) => {
  const shown = detailRecord.peek();
  if (shown && shown.object === record.object && shown.id === record.id) detailRecord.value = record;
});
