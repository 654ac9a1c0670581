//! Importing a CSV file into a call list, in the page: the file is read once, its beginning is
//! previewed by the server (encoding, columns, a suggested mapping the admin can change), then
//! its records are sent in chunks of whole records, one request after another. A chunk that
//! fails for a passing reason (network, busy, 5xx) is sent again — the server imports nothing
//! twice — and after a few tries the import pauses with the reason and can be resumed from that
//! chunk. Failed rows are collected with their line numbers as the chunks report them.

import { signal } from '@preact/signals';
import { ApiError } from '../api/client';
import { errorText } from '../api/errors';
import { t } from '../i18n';
import type { CallList, ImportEncoding, Mapping, Preview, RowFailure } from './api';
import { previewCsv, readImport, sendChunk, startImport } from './api';
import type { Plan, Records } from './csv';
import { planChunks, previewEnd, scanRecords } from './csv';

/** The server reads at most this much for a preview. */
const PREVIEW_BYTES = 256 * 1024;
/** Records per chunk: the server takes up to 5,000; smaller chunks move the progress bar. */
export const CHUNK_ROWS = 2000;
/** Bytes per chunk: the server takes up to 2 MB. */
export const CHUNK_BYTES = 1024 * 1024;
/** Failed rows kept for the table (the count is always exact). */
const KEPT_FAILURES = 5000;
const RETRY_MS = [500, 1500, 4000];

export type ImportPhase = 'pick' | 'reading' | 'ready' | 'starting' | 'uploading' | 'paused' | 'done';

export interface ImportState {
  list: CallList;
  phase: ImportPhase;
  fileName: string | null;
  fileSize: number;
  /** What went wrong last (the phase says whether the import can go on). */
  error: string | null;
  preview: Preview | null;
  /** The first row holds the column names. */
  header: boolean;
  mapping: Mapping;
  /** Rows of data the file holds (the header left out). */
  rows: number;
  importId: string | null;
  /** The chunk to send next. */
  next: number;
  chunks: number;
  sentRows: number;
  sentBytes: number;
  totalBytes: number;
  imported: number;
  failed: number;
  linked: number;
  failures: RowFailure[];
  /** A record too large to send: the file was imported up to its line. */
  oversizedLine: number | null;
  /** An unfinished import of this very file (the page was closed while it ran). */
  resumable: { importId: string; imported: number; failed: number } | null;
}

/** What is kept of a running import, so that picking the same file again can finish it. */
interface Unfinished {
  importId: string;
  fileName: string;
  size: number;
  modified: number;
  header: boolean;
  mapping: Mapping;
}

const unfinishedKey = (list: string) => `console.import.${list}`;

function loadUnfinished(list: string, file: File): Unfinished | null {
  try {
    const u = JSON.parse(localStorage.getItem(unfinishedKey(list)) ?? 'null') as Unfinished | null;
    if (u && u.fileName === file.name && u.size === file.size && u.modified === file.lastModified) return u;
  } catch {
    /* a damaged entry is ignored */
  }
  return null;
}

export const importState = signal<ImportState | null>(null);

let bytes: Uint8Array | null = null;
let picked: File | null = null;
let records: Records | null = null;
let plan: Plan | null = null;
let pauseAsked = false;
let runToken = 0;

function set(patch: Partial<ImportState>): void {
  const s = importState.peek();
  if (s) importState.value = { ...s, ...patch };
}

const emptyMapping = (): Mapping => ({ phone: '', extra: [] });

/** Opens the import for a list (nothing read yet). */
export function openImport(list: CallList): void {
  closeImport();
  importState.value = {
    list,
    phase: 'pick',
    fileName: null,
    fileSize: 0,
    error: null,
    preview: null,
    header: true,
    mapping: emptyMapping(),
    rows: 0,
    importId: null,
    next: 0,
    chunks: 0,
    sentRows: 0,
    sentBytes: 0,
    totalBytes: 0,
    imported: 0,
    failed: 0,
    linked: 0,
    failures: [],
    oversizedLine: null,
    resumable: null,
  };
}

/** Forgets the import and the file (an upload under way stops after its current chunk). */
export function closeImport(): void {
  runToken++;
  bytes = null;
  picked = null;
  records = null;
  plan = null;
  importState.value = null;
}

/** Whether an upload is going on (leaving the page would stop it). */
export function uploading(): boolean {
  const p = importState.peek()?.phase;
  return p === 'uploading' || p === 'starting';
}

/** The names of the columns as the import will know them. */
export function columnNames(preview: Preview, header: boolean): string[] {
  return header ? preview.columns : preview.columns.map((_, i) => t('lists.columnN', { n: i + 1 }));
}

const PHONE_LIKE = /^[+＋]?[0-9０-９][0-9０-９\-－‐ー ()（）]{8,}$/;

/** The mapping to start from: the server's suggestion for a header, else a guess from the values. */
function initialMapping(preview: Preview, header: boolean): Mapping {
  const names = columnNames(preview, header);
  if (header) {
    const s = preview.suggested;
    const m: Mapping = { phone: s.phone ?? '', extra: s.extra.filter((c) => names.includes(c)) };
    for (const k of ['name', 'account', 'contact', 'notes'] as const) {
      const v = s[k];
      if (v) m[k] = v;
    }
    return m;
  }
  const sample = [preview.columns, ...preview.rows];
  const phone = names.findIndex((_, i) => sample.some((r) => PHONE_LIKE.test((r[i] ?? '').trim())));
  return { phone: phone >= 0 ? names[phone] : '', extra: [] };
}

function refreshPlan(header: boolean): void {
  if (!records) return;
  plan = planChunks(records, header, CHUNK_ROWS, CHUNK_BYTES);
  set({ rows: plan.rows, chunks: plan.chunks.length, oversizedLine: plan.oversizedLine });
}

/** Reads a picked file and asks the server for its preview. */
export async function pickFile(file: File): Promise<void> {
  const s = importState.peek();
  if (!s) return;
  const mine = ++runToken;
  set({ phase: 'reading', fileName: file.name, fileSize: file.size, error: null, preview: null, resumable: null });
  try {
    const data = new Uint8Array(await file.arrayBuffer());
    if (mine !== runToken) return;
    if (data.length === 0) throw new Error(t('lists.import.emptyFile'));
    const recs = scanRecords(data);
    const end = previewEnd(recs, PREVIEW_BYTES);
    if (end === null) throw new Error(t('lists.import.firstRowTooLong'));
    const preview = await previewCsv(s.list.id, data.subarray(0, end));
    if (mine !== runToken) return;
    bytes = data;
    picked = file;
    records = recs;
    const header = true;
    refreshPlan(header);
    set({ phase: 'ready', preview, header, mapping: initialMapping(preview, header), totalBytes: data.length });
    const unfinished = loadUnfinished(s.list.id, file);
    if (unfinished) {
      const earlier = await readImport(s.list.id, unfinished.importId).catch(() => null);
      if (mine !== runToken) return;
      if (earlier) {
        refreshPlan(unfinished.header);
        set({
          header: unfinished.header,
          mapping: unfinished.mapping,
          resumable: { importId: earlier.id, imported: earlier.rows_imported, failed: earlier.rows_failed },
        });
      }
    }
  } catch (e) {
    if (mine !== runToken) return;
    set({ phase: 'pick', error: errorText(e) });
  }
}

/** Whether the first row holds the column names (changes the columns and the mapping). */
export function setHeader(header: boolean): void {
  const s = importState.peek();
  if (!s?.preview || s.phase !== 'ready') return;
  refreshPlan(header);
  set({ header, mapping: initialMapping(s.preview, header) });
}

export function setMapping(mapping: Mapping): void {
  set({ mapping });
}

/** What is wrong with a mapping, or `null` when it can be imported. */
export function mappingProblem(m: Mapping): string | null {
  if (!m.phone) return t('lists.import.needPhone');
  const used = [m.phone, m.name, m.account, m.contact, m.notes, ...m.extra].filter((c): c is string => !!c);
  const twice = used.find((c, i) => used.indexOf(c) !== i);
  if (twice) return t('lists.import.usedTwice', { column: twice });
  return null;
}

function encodingOf(preview: Preview): ImportEncoding {
  return preview.encoding === 'shift_jis' ? 'shift_jis' : 'utf-8';
}

/** Starts the import: registers it with the server, then sends the chunks. */
export async function startUpload(): Promise<void> {
  const s = importState.peek();
  if (!s?.preview || s.phase !== 'ready' || !plan) return;
  const problem = mappingProblem(s.mapping);
  if (problem) {
    set({ error: problem });
    return;
  }
  if (plan.rows === 0) {
    set({ error: t('lists.import.noRows') });
    return;
  }
  const mine = ++runToken;
  set({ phase: 'starting', error: null });
  const mapping: Mapping = { phone: s.mapping.phone, extra: s.mapping.extra };
  for (const k of ['name', 'account', 'contact', 'notes'] as const) {
    const v = s.mapping[k];
    if (v) mapping[k] = v;
  }
  try {
    const started = await startImport(s.list.id, {
      columns: columnNames(s.preview, s.header),
      mapping,
      encoding: encodingOf(s.preview),
      file_name: s.fileName ?? '',
      total_rows: plan.rows,
    });
    if (mine !== runToken) return;
    if (picked) {
      const u: Unfinished = {
        importId: started.id,
        fileName: picked.name,
        size: picked.size,
        modified: picked.lastModified,
        header: s.header,
        mapping,
      };
      localStorage.setItem(unfinishedKey(s.list.id), JSON.stringify(u));
    }
    set({ importId: started.id, phase: 'uploading' });
  } catch (e) {
    if (mine !== runToken) return;
    set({ phase: 'ready', error: errorText(e) });
    return;
  }
  await run(mine);
}

/**
 * Finishes the unfinished import of the picked file: every chunk is sent again from the first —
 * those the server already has cost no writes and report their failed rows again — so the
 * totals and the failed rows come out as if the import had never stopped.
 */
export async function resumeUnfinished(): Promise<void> {
  const s = importState.peek();
  if (!s?.resumable || s.phase !== 'ready') return;
  const mine = ++runToken;
  set({ importId: s.resumable.importId, resumable: null, phase: 'uploading', error: null });
  await run(mine);
}

/** Drops the record of an unfinished import (a new import of the file is wanted instead). */
export function discardUnfinished(): void {
  const s = importState.peek();
  if (!s) return;
  localStorage.removeItem(unfinishedKey(s.list.id));
  set({ resumable: null });
}

/** Asks the upload to stop after the chunk on its way. */
export function pauseUpload(): void {
  if (importState.peek()?.phase === 'uploading') pauseAsked = true;
}

/** Goes on from the chunk that was not sent. */
export async function resumeUpload(): Promise<void> {
  const s = importState.peek();
  if (!s || s.phase !== 'paused' || !s.importId) return;
  const mine = ++runToken;
  set({ phase: 'uploading', error: null });
  await run(mine);
}

function passing(e: unknown): boolean {
  if (!(e instanceof ApiError)) return false;
  return e.status === 0 || e.status === 429 || e.status >= 500 || (e.status === 409 && e.code === 'busy');
}

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function run(mine: number): Promise<void> {
  pauseAsked = false;
  while (mine === runToken) {
    const s = importState.peek();
    if (!s?.importId || !plan || !bytes) return;
    if (s.next >= plan.chunks.length) {
      localStorage.removeItem(unfinishedKey(s.list.id));
      set({ phase: 'done' });
      return;
    }
    if (pauseAsked) {
      pauseAsked = false;
      set({ phase: 'paused' });
      return;
    }
    const chunk = plan.chunks[s.next];
    let attempt = 0;
    for (;;) {
      try {
        const res = await sendChunk(s.list.id, s.importId, chunk.firstLine, bytes.subarray(chunk.start, chunk.end));
        if (mine !== runToken) return;
        const now = importState.peek();
        if (!now) return;
        const room = Math.max(0, KEPT_FAILURES - now.failures.length);
        set({
          next: now.next + 1,
          sentRows: now.sentRows + chunk.rows,
          sentBytes: chunk.end,
          imported: res.import.rows_imported,
          failed: res.import.rows_failed,
          linked: res.import.rows_linked,
          failures: room > 0 && res.chunk.failed.length ? [...now.failures, ...res.chunk.failed.slice(0, room)] : now.failures,
        });
        break;
      } catch (e) {
        if (mine !== runToken) return;
        if (passing(e) && attempt < RETRY_MS.length) {
          set({ error: t('lists.import.retrying', { detail: errorText(e) }) });
          await wait(RETRY_MS[attempt]);
          attempt++;
          if (mine !== runToken) return;
          continue;
        }
        set({ phase: 'paused', error: t('lists.import.stopped', { line: chunk.firstLine, detail: errorText(e) }) });
        return;
      }
    }
    if (importState.peek()?.error) set({ error: null });
  }
}

/** The failed rows as a CSV file (line, column, reason) for the admin to fix the source. */
export function failuresCsv(s: ImportState): Blob {
  const q = (v: string) => `"${v.replace(/"/g, '""')}"`;
  const head = [t('lists.fail.line'), t('lists.fail.column'), t('lists.fail.reason')].map(q).join(',');
  const body = s.failures.map((f) => [String(f.line), q(f.column ?? ''), q(failureText(f, s))].join(','));
  // A BOM, so that Excel opens the Japanese text as UTF-8.
  return new Blob(['\uFEFF', [head, ...body].join('\r\n'), '\r\n'], { type: 'text/csv;charset=utf-8' });
}

/** Why a row failed, in the admin's language. */
export function failureText(f: RowFailure, s: Pick<ImportState, 'preview' | 'header'>): string {
  switch (f.code) {
    case 'wrong_column_count':
      return t('lists.fail.wrong_column_count', { n: s.preview ? columnNames(s.preview, s.header).length : '?' });
    case 'missing_phone':
      return t('lists.fail.missing_phone');
    case 'invalid_phone':
      return t('lists.fail.invalid_phone');
    case 'too_long':
      return t('lists.fail.too_long', { column: f.column ?? '' });
    case 'bad_encoding':
      return t('lists.fail.bad_encoding');
    default:
      return f.reason;
  }
}
