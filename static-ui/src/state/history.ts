//! Response history (対応履歴): one tab of calls and one tab per configured object, for the
//! customer shown in Customer info. Calls are listed by the looked-up number; records by the
//! chosen account (or contact, or else the number), newest first, a page at a time.

import { effect, signal } from '@preact/signals';
import { calls as apiCalls, records as apiRecords } from '../api/history';
import type { HistoryCall, HistorySubject } from '../api/history';
import { errorText } from '../api/errors';
import type { CrmRecord } from '../api/types';
import type { CustomerSubject } from './customer';
import { HISTORY_PAGE, lookupResult, subject } from './customer';
import { onRecordSaved } from './events';

/** `calls` or an object name. */
export type TabId = string;
export const CALLS_TAB = 'calls';

export type TabData =
  | { kind: 'calls'; items: HistoryCall[]; cursor: string | null; loading: boolean; error: string | null }
  | { kind: 'records'; items: CrmRecord[]; cursor: string | null; loading: boolean; error: string | null };

export const activeTab = signal<TabId>(CALLS_TAB);
/** The word the call tab is searched by (its memo or live transcript), or empty for every call. */
export const historyWord = signal('');
/** Loaded tabs of the current customer. */
export const tabs = signal<Record<TabId, TabData>>({});

let generation = 0;
/** The lookup whose first page of calls a calls tab showed already. */
let shownFrom: unknown = null;

/** The first page of calls the lookup of `s.phone` brought, once per lookup. */
function lookedUpCalls(s: CustomerSubject) {
  const looked = lookupResult.peek();
  if (!looked?.calls || looked === shownFrom || looked.phone !== s.phone) return null;
  shownFrom = looked;
  return looked.calls;
}

/** Whose records a tab lists. */
export function recordSubject(s: CustomerSubject): HistorySubject | null {
  if (s.accountId) return { account: s.accountId };
  if (s.contactId) return { contact: s.contactId };
  if (s.phone) return { phone: s.phone };
  return null;
}

function setTab(tab: TabId, data: TabData): void {
  tabs.value = { ...tabs.peek(), [tab]: data };
}

/** Loads a tab's first page, or its next page with `more`. */
export async function loadTab(tab: TabId, more = false): Promise<void> {
  const s = subject.peek();
  const gen = generation;
  const prev = tabs.peek()[tab];
  if (more && (!prev?.cursor || prev.loading)) return;
  const kind = tab === CALLS_TAB ? 'calls' : 'records';
  const base = more && prev ? prev : ({ kind, items: [], cursor: null, loading: false, error: null } as TabData);
  setTab(tab, { ...base, loading: true, error: null });
  const cursor = more && prev?.cursor ? prev.cursor : undefined;
  try {
    if (tab === CALLS_TAB) {
      const by = s.phone ? { phone: s.phone } : s.accountId ? { account: s.accountId } : null;
      const word = historyWord.peek().trim();
      // The screen pop's lookup brought the first page: no second request.
      const looked = !more && !word ? lookedUpCalls(s) : null;
      if (looked) {
        setTab(tab, { kind: 'calls', items: looked.items, cursor: looked.cursor ?? null, loading: false, error: null });
        return;
      }
      const page = by ? await apiCalls(by, { limit: HISTORY_PAGE, ...(cursor ? { cursor } : {}), ...(word ? { q: word } : {}) }) : { items: [] };
      if (gen !== generation) return;
      const items = [...(base.kind === 'calls' ? base.items : []), ...page.items];
      setTab(tab, { kind: 'calls', items, cursor: page.cursor ?? null, loading: false, error: null });
    } else {
      const by = recordSubject(s);
      const page = by ? await apiRecords(tab, by, { limit: HISTORY_PAGE, ...(cursor ? { cursor } : {}) }) : { items: [] };
      if (gen !== generation) return;
      const items = [...(base.kind === 'records' ? base.items : []), ...page.items];
      setTab(tab, { kind: 'records', items, cursor: page.cursor ?? null, loading: false, error: null });
    }
  } catch (e) {
    if (gen !== generation) return;
    setTab(tab, { ...base, loading: false, error: errorText(e) });
  }
}

/** Lists the calls whose memo or live transcript holds `word` (every call when it is empty). */
export function searchCalls(word: string): void {
  historyWord.value = word;
  generation++;
  void loadTab(CALLS_TAB);
}

/** Keeps the tabs in step with the customer and with saved records; returns the stop function. */
export function startHistorySync(): () => void {
  let lastKey = '';
  let lastLookup: unknown = null;
  const stopSubject = effect(() => {
    const s = subject.value;
    // A number looked up again is listed afresh: a call is in its caller's history once it
    // ended, so the call just handled appears when the operator looks its number up again.
    const looked = lookupResult.value;
    const key = `${s.phone ?? ''}|${s.accountId ?? ''}|${s.contactId ?? ''}`;
    if (key === lastKey && looked === lastLookup) return;
    lastKey = key;
    lastLookup = looked;
    generation++;
    historyWord.value = '';
    tabs.value = {};
    if (s.phone || s.accountId || s.contactId) void loadTab(activeTab.peek());
  });
  const stopTab = effect(() => {
    const tab = activeTab.value;
    const s = subject.peek();
    if ((s.phone || s.accountId || s.contactId) && !tabs.peek()[tab]) void loadTab(tab);
  });
  const stopSaved = onRecordSaved((record) => {
    if (tabs.peek()[record.object]) void loadTab(record.object);
  });
  return () => {
    stopSubject();
    stopTab();
    stopSaved();
  };
}
