//! Importing a CSV file into a list, in three steps: pick the file; check what the server read
//! (the encoding, the columns, the first rows) and which column holds what; then the upload with
//! its progress, the totals, and every row that failed with its line number and reason.

import { useEffect, useRef } from 'preact/hooks';
import { t } from '../i18n';
import type { Mapping } from './api';
import type { ImportState } from './importer';
import {
  closeImport,
  columnNames,
  discardUnfinished,
  failureText,
  failuresCsv,
  importState,
  mappingProblem,
  openImport,
  pauseUpload,
  pickFile,
  resumeUnfinished,
  resumeUpload,
  setHeader,
  setMapping,
  startUpload,
} from './importer';
import { panel, refreshList } from './lists';

/** Failed rows shown in the table (all of them are in the download). */
const SHOWN_FAILURES = 1000;
const SINGLE = ['phone', 'name', 'account', 'contact', 'notes'] as const;
type Single = (typeof SINGLE)[number];

function encodingLabel(e: string): string {
  switch (e) {
    case 'utf-8-bom':
      return t('lists.import.enc.utf8bom');
    case 'utf-8':
      return t('lists.import.enc.utf8');
    case 'shift_jis':
      return t('lists.import.enc.sjis');
    default:
      return e;
  }
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function roleOf(m: Mapping, column: string): string | null {
  for (const k of SINGLE) if (m[k] === column) return t(`lists.map.${k}`);
  if (m.extra.includes(column)) return t('lists.map.extraShort');
  return null;
}

function Steps({ phase }: { phase: ImportState['phase'] }) {
  const step = phase === 'pick' || phase === 'reading' ? 1 : phase === 'ready' ? 2 : 3;
  return (
    <ol class="cl-steps" aria-label={t('lists.import.steps')}>
      {[1, 2, 3].map((n) => (
        <li key={n} class={n === step ? 'current' : n < step ? 'past' : ''} aria-current={n === step ? 'step' : undefined}>
          <span class="cl-step-no">{n}</span>
          {t(`lists.import.step${n as 1 | 2 | 3}`)}
        </li>
      ))}
    </ol>
  );
}

function Mapper({ s }: { s: ImportState }) {
  const preview = s.preview;
  if (!preview) return null;
  const names = columnNames(preview, s.header);
  const m = s.mapping;
  const set = (k: Single, v: string) => {
    const next: Mapping = { ...m, extra: m.extra.filter((c) => c !== v) };
    if (v) next[k] = v;
    else if (k === 'phone') next.phone = '';
    else delete next[k];
    setMapping(next);
  };
  const mapped = new Set(SINGLE.map((k) => m[k]).filter(Boolean));
  return (
    <fieldset class="cl-mapping" id="cl-mapping">
      <legend>{t('lists.import.mapping')}</legend>
      <div class="cl-mapping-grid">
        {SINGLE.map((k) => (
          <label key={k}>
            <span>
              {t(`lists.map.${k}`)}
              {k === 'phone' && <span class="cl-required">{t('entry.required')}</span>}
            </span>
            <select id={`cl-map-${k}`} value={m[k] ?? ''} aria-invalid={k === 'phone' && !m.phone ? true : undefined} onChange={(e) => set(k, e.currentTarget.value)}>
              <option value="">{t('lists.map.none')}</option>
              {names.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </label>
        ))}
      </div>
      <div class="cl-extra" role="group" aria-labelledby="cl-extra-label">
        <span id="cl-extra-label" class="cl-extra-label">
          {t('lists.map.extra')}
        </span>
        {names
          .filter((c) => !mapped.has(c))
          .map((c) => (
            <label key={c} class="check">
              <input
                type="checkbox"
                checked={m.extra.includes(c)}
                onChange={(e) => setMapping({ ...m, extra: e.currentTarget.checked ? [...m.extra, c] : m.extra.filter((x) => x !== c) })}
              />
              {c}
            </label>
          ))}
      </div>
    </fieldset>
  );
}

function PreviewTable({ s }: { s: ImportState }) {
  const preview = s.preview;
  if (!preview) return null;
  const names = columnNames(preview, s.header);
  const rows = s.header ? preview.rows : [preview.columns, ...preview.rows].slice(0, 5);
  return (
    <div class="cl-preview-wrap">
      <table class="cl-preview" id="cl-preview">
        <caption class="muted">{t('lists.import.previewCaption', { n: rows.length })}</caption>
        <thead>
          <tr>
            {names.map((c) => {
              const role = roleOf(s.mapping, c);
              return (
                <th key={c} scope="col" class={role ? 'mapped' : ''}>
                  {c}
                  {role && <span class="cl-role">{role}</span>}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              {names.map((c, j) => (
                <td key={c}>{r[j] ?? ''}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Ready({ s }: { s: ImportState }) {
  const preview = s.preview;
  if (!preview) return null;
  const problem = mappingProblem(s.mapping) ?? (s.rows === 0 ? t('lists.import.noRows') : null);
  return (
    <>
      <dl class="cl-file" id="cl-file">
        <div>
          <dt>{t('lists.import.file')}</dt>
          <dd>
            {s.fileName}（{size(s.fileSize)}）
          </dd>
        </div>
        <div>
          <dt>{t('lists.import.encoding')}</dt>
          <dd id="cl-encoding">{encodingLabel(preview.encoding)}</dd>
        </div>
        <div>
          <dt>{t('lists.import.rows')}</dt>
          <dd id="cl-rows">{t('lists.import.rowsValue', { n: s.rows.toLocaleString() })}</dd>
        </div>
      </dl>
      {s.resumable && (
        <div class="cl-resume banner banner-warn" role="status" id="cl-resume">
          <p>{t('lists.import.resumable', { imported: s.resumable.imported.toLocaleString(), failed: s.resumable.failed.toLocaleString() })}</p>
          <div class="banner-actions">
            <button type="button" class="primary" id="cl-resume-yes" onClick={() => void resumeUnfinished()}>
              {t('lists.import.resumeYes')}
            </button>
            <button type="button" onClick={discardUnfinished}>
              {t('lists.import.resumeNo')}
            </button>
          </div>
        </div>
      )}
      <label class="check cl-header-check">
        <input type="checkbox" id="cl-header" checked={s.header} onChange={(e) => setHeader(e.currentTarget.checked)} />
        {t('lists.import.header')}
      </label>
      <Mapper s={s} />
      <PreviewTable s={s} />
      {s.oversizedLine !== null && (
        <p class="warn-text" role="alert">
          {t('lists.import.oversized', { line: s.oversizedLine })}
        </p>
      )}
      <div class="cl-form-foot">
        <button type="button" class="primary" id="cl-import-start" disabled={!!problem || !!s.resumable} onClick={() => void startUpload()}>
          {t('lists.import.start', { n: s.rows.toLocaleString() })}
        </button>
        <button type="button" onClick={() => openImport(s.list)}>
          {t('lists.import.otherFile')}
        </button>
        {(problem ?? s.error) && (
          <p class="error-text" role="alert" id="cl-import-problem">
            {problem ?? s.error}
          </p>
        )}
      </div>
    </>
  );
}

function Failures({ s }: { s: ImportState }) {
  const url = useRef<string | null>(null);
  useEffect(
    () => () => {
      if (url.current) URL.revokeObjectURL(url.current);
    },
    [],
  );
  if (s.failed === 0) return null;
  const shown = s.failures.slice(0, SHOWN_FAILURES);
  const unlisted = s.failed - shown.length;
  return (
    <section class="cl-failures" aria-labelledby="cl-failures-title">
      <h3 id="cl-failures-title">{t('lists.fail.title', { n: s.failed.toLocaleString() })}</h3>
      <div class="cl-failures-wrap">
        <table class="cl-table cl-failures-table" id="cl-failures">
          <thead>
            <tr>
              <th scope="col" class="num">
                {t('lists.fail.line')}
              </th>
              <th scope="col">{t('lists.fail.column')}</th>
              <th scope="col">{t('lists.fail.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((f) => (
              <tr key={`${f.line}-${f.code}`}>
                <td class="num">{f.line.toLocaleString()}</td>
                <td>{f.column ?? '—'}</td>
                <td title={f.reason}>{failureText(f, s)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="cl-failures-foot">
        {unlisted > 0 && <span class="muted">{t('lists.fail.more', { n: unlisted.toLocaleString() })}</span>}
        <a
          href="#"
          class="link-button"
          onClick={(e) => {
            const a = e.currentTarget;
            if (url.current) URL.revokeObjectURL(url.current);
            url.current = URL.createObjectURL(failuresCsv(s));
            a.href = url.current;
            a.download = `${(s.fileName ?? 'import').replace(/\.csv$/i, '')}-failed-rows.csv`;
          }}
        >
          {t('lists.fail.download')}
        </a>
      </p>
    </section>
  );
}

function Upload({ s }: { s: ImportState }) {
  const value = s.totalBytes > 0 ? s.sentBytes / s.totalBytes : 0;
  const pct = s.phase === 'done' ? 100 : Math.min(99.9, Math.floor(value * 1000) / 10);
  return (
    <>
      <p class="cl-upload-file">
        {s.fileName}（{encodingLabel(s.preview?.encoding ?? '')}）
      </p>
      <div class="cl-upload-bar">
        <progress id="cl-import-progress" max={100} value={pct} aria-label={t('lists.import.progressLabel')} />
        <span class="num" id="cl-import-percent">
          {pct}%
        </span>
      </div>
      <p class="cl-upload-figures" id="cl-import-figures" aria-live="polite">
        {t('lists.import.figures', {
          sent: s.sentRows.toLocaleString(),
          rows: s.rows.toLocaleString(),
          imported: s.imported.toLocaleString(),
          failed: s.failed.toLocaleString(),
          linked: s.linked.toLocaleString(),
        })}
      </p>
      {s.phase === 'done' && (
        <p class="ok-text cl-done" role="status" id="cl-import-done">
          {t('lists.import.done', { imported: s.imported.toLocaleString(), failed: s.failed.toLocaleString() })}
        </p>
      )}
      {s.phase === 'done' && s.oversizedLine !== null && (
        <p class="warn-text" role="alert">
          {t('lists.import.oversized', { line: s.oversizedLine })}
        </p>
      )}
      {s.error && (
        <p class={s.phase === 'paused' ? 'error-text' : 'warn-text'} role="alert" id="cl-import-error">
          {s.error}
        </p>
      )}
      <div class="cl-form-foot">
        {(s.phase === 'uploading' || s.phase === 'starting') && (
          <button type="button" id="cl-import-pause" disabled={s.phase === 'starting'} onClick={pauseUpload}>
            {t('lists.import.pause')}
          </button>
        )}
        {s.phase === 'paused' && (
          <button type="button" class="primary" id="cl-import-resume" onClick={() => void resumeUpload()}>
            {t('lists.import.resume')}
          </button>
        )}
        {s.phase === 'paused' && <span class="muted">{t('lists.import.pausedNote')}</span>}
        {s.phase === 'done' && (
          <button type="button" onClick={() => openImport(s.list)}>
            {t('lists.import.another')}
          </button>
        )}
      </div>
      <Failures s={s} />
    </>
  );
}

export function ImportPanel() {
  const s = importState.value;
  const phase = s?.phase;
  const listId = s?.list.id;
  useEffect(() => {
    if (phase === 'done' && listId) void refreshList(listId);
  }, [phase, listId]);
  if (!s) return null;
  return (
    <section class="cl-panel cl-import" id="cl-import" aria-labelledby="cl-import-title">
      <div class="cl-panel-head">
        <h2 id="cl-import-title">{t('lists.import.title', { name: s.list.name })}</h2>
        <Steps phase={s.phase} />
        <span class="info-spacer" />
        <button
          type="button"
          class="small"
          disabled={s.phase === 'uploading' || s.phase === 'starting'}
          onClick={() => {
            closeImport();
            panel.value = null;
          }}
        >
          {t('app.close')}
        </button>
      </div>
      {(s.phase === 'pick' || s.phase === 'reading') && (
        <div class="cl-pick">
          <label>
            {t('lists.import.pick')}
            <input
              type="file"
              id="cl-import-file"
              accept=".csv,.txt,text/csv"
              disabled={s.phase === 'reading'}
              onChange={(e) => {
                const f = e.currentTarget.files?.[0];
                if (f) void pickFile(f);
              }}
            />
          </label>
          <p class="muted cl-hint">{t('lists.import.pickHint')}</p>
          {s.phase === 'reading' && <p aria-busy="true">{t('lists.import.reading', { name: s.fileName ?? '' })}</p>}
          {s.error && (
            <p class="error-text" role="alert" id="cl-import-problem">
              {s.error}
            </p>
          )}
        </div>
      )}
      {s.phase === 'ready' && <Ready s={s} />}
      {(s.phase === 'starting' || s.phase === 'uploading' || s.phase === 'paused' || s.phase === 'done') && <Upload s={s} />}
    </section>
  );
}
