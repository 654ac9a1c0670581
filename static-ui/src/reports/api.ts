//! The `reports` resource (supervisors and admins only): a range's figures, and the report and
//! the call history as CSV files (functions/history/src/reports.rs). The history comes a page
//! at a time (`X-Next-Cursor`), so a long range shows its progress and no answer is large.

import { ApiError, get, transport } from '../api/client';
import type { components } from '../api/schema.gen';
import { currentToken, unauthorized } from '../auth';
import { apiBase } from '../config';

type Schemas = components['schemas'];
export type Report = Schemas['Report'];
export type Figures = Schemas['Figures'];
export type Presence = Schemas['Presence'];
export type OperatorRow = Schemas['OperatorRow'];
export type GroupRow = Schemas['GroupRow'];
export type DayRow = Schemas['DayRow'];

/** How a CSV file is encoded: UTF-8 with a BOM, or Shift_JIS (Windows-31J). */
export type CsvEncoding = 'utf8' | 'sjis';

/** The figures of the days `from` to `to` (YYYY-MM-DD, at most 92 days). */
export const fetchReport = (from: string, to: string, signal?: AbortSignal) =>
  get<Report>('/api/reports', { from, to }, signal);

interface CsvPart {
  bytes: ArrayBuffer;
  next: string | null;
  rows: number;
  replacedRows: number;
}

async function csvPart(path: string, query: Record<string, string>, signal?: AbortSignal): Promise<CsvPart> {
  const token = currentToken();
  if (!token) throw new ApiError(401, 'unauthorized', 'sign in first');
  const qs = new URLSearchParams(query).toString();
  let res: Response;
  try {
    res = await transport.fetch(`${apiBase()}${path}?${qs}`, {
      method: 'GET',
      headers: { accept: 'text/csv, application/json', authorization: `Bearer ${token}` },
      signal: signal ?? null,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', e instanceof Error ? e.message : String(e));
  }
  if (!res.ok) {
    let err: { code?: string; message?: string; field?: string } | undefined;
    try {
      err = ((await res.json()) as { error?: typeof err }).error;
    } catch {
      err = undefined;
    }
    if (res.status === 401) unauthorized();
    throw new ApiError(res.status, err?.code ?? `http_${res.status}`, err?.message ?? res.statusText, err?.field);
  }
  const replaced = res.headers.get('x-replaced-rows');
  return {
    bytes: await res.arrayBuffer(),
    next: res.headers.get('x-next-cursor'),
    rows: Number(res.headers.get('x-rows') ?? '0'),
    replacedRows: replaced ? replaced.split(',').length : 0,
  };
}

/** A CSV file fetched, ready to save. */
export interface CsvFile {
  blob: Blob;
  name: string;
  /** Calls in it (history export). */
  rows: number;
  /** Rows where a character Shift_JIS lacks was replaced with 〓. */
  replacedRows: number;
}

function csvBlob(parts: ArrayBuffer[], encoding: CsvEncoding): Blob {
  return new Blob(parts, { type: `text/csv;charset=${encoding === 'sjis' ? 'shift_jis' : 'utf-8'}` });
}

/** The report of the range as one CSV file. */
export async function reportCsv(from: string, to: string, encoding: CsvEncoding): Promise<CsvFile> {
  const part = await csvPart('/api/reports/export', { from, to, encoding });
  return {
    blob: csvBlob([part.bytes], encoding),
    name: `report_${from}_${to}_${encoding}.csv`,
    rows: 0,
    replacedRows: part.replacedRows,
  };
}

/**
 * The calls of the range as one CSV file, fetched a page at a time; `progress` hears how many
 * calls have come so far.
 */
export async function callsCsv(
  from: string,
  to: string,
  encoding: CsvEncoding,
  progress: (rows: number) => void,
  signal?: AbortSignal,
): Promise<CsvFile> {
  const parts: ArrayBuffer[] = [];
  let cursor: string | null = null;
  let rows = 0;
  let replacedRows = 0;
  do {
    const query: Record<string, string> = { from, to, encoding };
    if (cursor) query.cursor = cursor;
    const part = await csvPart('/api/reports/calls', query, signal);
    parts.push(part.bytes);
    rows += part.rows;
    replacedRows += part.replacedRows;
    progress(rows);
    cursor = part.next;
  } while (cursor);
  return { blob: csvBlob(parts, encoding), name: `calls_${from}_${to}_${encoding}.csv`, rows, replacedRows };
}
