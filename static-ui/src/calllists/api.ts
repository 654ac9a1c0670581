//! The `call-lists` resource as an admin manages it (functions/call-lists, shared/src/domain/
//! call_lists.rs): lists with their progress counts, creating, changing and deleting them, and
//! importing targets from a CSV file — a preview of its beginning, then the import in chunks of
//! raw bytes, each answered with the rows that failed and the import's running totals.

import { ApiError, del, get, post, put } from '../api/client';
import type { Counts, CallList as OperatorList, Target as OperatorTarget, TargetState } from '../api/callLists';
import type { Paged } from '../api/types';
import { currentToken, signOut } from '../auth';
import { apiBase } from '../config';

/** The states in the order the page lists them. */
export const TARGET_STATES: TargetState[] = ['not_called', 'in_progress', 'no_answer', 'callback', 'done'];

export type { Counts, TargetState };

/** A list as the admin sees it: with who changed it last (named when an edit loses a race). */
export type CallList = OperatorList & { updated_at: string; updated_by: string };

/** What the list form sends (the version too when changing a list). */
export interface ListInput {
  name: string;
  line_id: string;
  script_id?: string;
  description?: string;
}

/** A column of the file by its header name. */
export interface Mapping {
  phone: string;
  name?: string;
  account?: string;
  contact?: string;
  notes?: string;
  extra: string[];
}

/** The beginning of a file as the server read it. */
export interface Preview {
  /** `utf-8`, `utf-8-bom` or `shift_jis`. */
  encoding: string;
  /** The first row. */
  columns: string[];
  /** Up to five rows after it. */
  rows: string[][];
  suggested: Partial<Omit<Mapping, 'extra'>> & { extra: string[] };
}

export type ImportEncoding = 'auto' | 'utf-8' | 'shift_jis';

export interface Import {
  id: string;
  list_id: string;
  columns: string[];
  encoding: ImportEncoding;
  file_name?: string;
  total_rows?: number;
  rows_imported: number;
  rows_failed: number;
  rows_linked: number;
  chunks: number;
}

/** A row that was not imported. */
export interface RowFailure {
  /** The line of the file the row starts on. */
  line: number;
  /** `wrong_column_count`, `missing_phone`, `invalid_phone`, `too_long` or `bad_encoding`. */
  code: string;
  column?: string;
  /** The server's explanation (English). */
  reason: string;
}

export interface ChunkReport {
  first_line: number;
  encoding: string;
  rows: number;
  imported: number;
  linked: number;
  failed_count: number;
  /** At most 500 of a chunk's failures. */
  failed: RowFailure[];
  /** The chunk had been received before: nothing was written again. */
  repeated: boolean;
}

export interface ChunkResponse {
  chunk: ChunkReport;
  import: Import;
}

/** A target as the admin's list of them shows it: with the line of the file it came from. */
export type Target = OperatorTarget & { source_line: number };

const base = (list: string) => `/api/call-lists/${encodeURIComponent(list)}`;

/** A page of lists (newest first; at most 25 a page). */
export const listLists = (cursor?: string) => get<Paged<CallList>>('/api/call-lists', { limit: 25, cursor });
export const readList = (list: string) => get<CallList>(base(list));
export const createList = (input: ListInput) => post<CallList>('/api/call-lists', input);
/** 409 `stale_version` with the current list in `current` when someone changed it first. */
export const updateList = (list: string, version: number, input: ListInput) => put<CallList>(base(list), { version, ...input });
/** `{done:false}` (202) while a large list is still being removed: send it again. */
export const deleteListStep = async (list: string): Promise<{ deleted: number; done: boolean }> =>
  (await del<{ deleted: number; done: boolean } | undefined>(base(list))) ?? { deleted: 0, done: true };

export const targets = (list: string, state: TargetState | '', cursor?: string) =>
  get<Paged<Target>>(`${base(list)}/targets`, { state, limit: 50, cursor });

export const startImport = (
  list: string,
  input: { columns: string[]; mapping: Mapping; encoding: ImportEncoding; file_name: string; total_rows: number },
) => post<Import>(`${base(list)}/imports`, input);

/** An import and its totals so far. */
export const readImport = (list: string, importId: string) => get<Import>(`${base(list)}/imports/${encodeURIComponent(importId)}`);

/**
 * Sends raw CSV bytes (the JSON client cannot): the bearer token, `Content-Type: text/csv`, and
 * the API's error body turned into an {@link ApiError} like every other request.
 */
async function postCsv<T>(path: string, bytes: Uint8Array, signal?: AbortSignal): Promise<T> {
  const token = currentToken();
  if (!token) throw new ApiError(401, 'unauthorized', 'sign in first');
  let res: Response;
  try {
    res = await fetch(`${apiBase()}${path}`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'text/csv', authorization: `Bearer ${token}` },
      body: bytes as Uint8Array<ArrayBuffer>,
      signal: signal ?? null,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', e instanceof Error ? e.message : String(e));
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const err = (body as { error?: { code?: string; message?: string; field?: string; current?: unknown } } | undefined)?.error;
    if (res.status === 401) signOut('expired');
    throw new ApiError(res.status, err?.code ?? `http_${res.status}`, err?.message ?? res.statusText, err?.field, err?.current);
  }
  return body as T;
}

/** Reads the beginning of a file (≤ 256 KB, cut after a line break). */
export const previewCsv = (list: string, bytes: Uint8Array) => postCsv<Preview>(`${base(list)}/imports/preview`, bytes);

/** Imports whole records starting on line `firstLine` of the file; sending it again is harmless. */
export const sendChunk = (list: string, importId: string, firstLine: number, bytes: Uint8Array, signal?: AbortSignal) =>
  postCsv<ChunkResponse>(`${base(list)}/imports/${encodeURIComponent(importId)}/chunks?first_line=${firstLine}`, bytes, signal);
