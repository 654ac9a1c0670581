//! The `crm` resource: phone lookup (screen pop), data search, and records of every object.

import { del, get, post, put } from './client';
import type { components } from './schema.gen';
import type { CrmRecord, NewRecord, RecordPatch, ScreenPop } from './types';

const records = (object: string) => `/api/crm/objects/${encodeURIComponent(object)}/records`;
const record = (object: string, id: string) => `${records(object)}/${encodeURIComponent(id)}`;

/**
 * Accounts, contacts and other records filed under a number (any common way of writing it); with
 * `calls`, also the first page of the number's calls (対応履歴), so the screen pop and its history
 * come in one request.
 */
export const lookup = (phone: string, signal?: AbortSignal, calls?: number) =>
  get<ScreenPop>('/api/crm/lookup', { phone, calls }, signal);

/** Searches one object's configured fields; `cursor` continues a previous page. */
export const search = (object: string, q: string, opts: { limit?: number; cursor?: string } = {}) =>
  get<components['schemas']['Paged_Hit']>('/api/crm/search', { object, q, limit: opts.limit, cursor: opts.cursor });

export const getRecord = (object: string, id: string) => get<CrmRecord>(record(object, id));

export const createRecord = (object: string, input: NewRecord) => post<CrmRecord>(records(object), input);

/** Patches a record; a stale `version` fails with 409 and the current record in `current`. */
export const updateRecord = (object: string, id: string, patch: RecordPatch) =>
  put<CrmRecord>(record(object, id), patch);

export const deleteRecord = (object: string, id: string, version: number) =>
  del<undefined>(record(object, id), { version });
