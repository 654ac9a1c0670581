//! Events between state modules that must not reach into each other: when a record is saved,
//! the customer info, the history tabs and the detail view each refresh what they show.

import type { CrmRecord } from '../api/types';

type Listener = (record: CrmRecord, created: boolean) => void;
const listeners = new Set<Listener>();

/** Subscribes to saved records; returns the unsubscribe function. */
export function onRecordSaved(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Tells every subscriber a record was created or updated. */
export function recordSaved(record: CrmRecord, created: boolean): void {
  for (const fn of listeners) fn(record, created);
}
