//! The reports page (/reports, supervisors and admins): a range of days picked with two dates or
//! a preset, the centre's figures, a chart of each day's calls and one of each operator's time,
//! tables per operator, queue (窓口) and response status, the definitions of the figures, and
//! the report and the call history as CSV (UTF-8 or Shift_JIS). Loaded on demand.

import { signal } from '@preact/signals';
import { PageLink, RoleRefusal } from '../components/PageLink';
import { useEffect } from 'preact/hooks';
import { errorText } from '../api/errors';
import { hasRole } from '../auth';
import { duration } from '../format';
import { lang, setLang, t } from '../i18n';
import { callsCsv, fetchReport, reportCsv } from './api';
import type { CsvEncoding, CsvFile, Figures, OperatorRow, Report } from './api';
import './reports.css';

/** A day in Japan, `YYYY-MM-DD`, `offset` days from today. */
function japanDay(offset = 0, now = Date.now()): string {
  return new Date(now + 9 * 3600_000 + offset * 86_400_000).toISOString().slice(0, 10);
}

function firstOfMonth(day: string, monthsBack = 0): string {
  const [y, m] = day.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 - monthsBack, 1));
  return d.toISOString().slice(0, 10);
}

function lastOfMonth(first: string): string {
  const [y, m] = first.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

const from = signal(japanDay(-6));
const to = signal(japanDay());
const report = signal<Report | null>(null);
const loading = signal(false);
const error = signal<string | null>(null);
const exportState = signal<{ text: string; kind: 'busy' | 'done' | 'error' } | null>(null);
let inFlight: AbortController | null = null;

function load(): void {
  inFlight?.abort();
  const ctl = new AbortController();
  inFlight = ctl;
  loading.value = true;
  error.value = null;
  fetchReport(from.value, to.value, ctl.signal)
    .then((r) => {
      if (inFlight === ctl) report.value = r;
    })
    .catch((e: unknown) => {
      if (inFlight === ctl && !(e instanceof DOMException && e.name === 'AbortError')) error.value = errorText(e);
    })
    .finally(() => {
      if (inFlight === ctl) loading.value = false;
    });
}

function save(file: CsvFile): void {
  const url = URL.createObjectURL(file.blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = file.name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function exportReport(encoding: CsvEncoding): void {
  exportState.value = { text: t('reports.export.busyReport'), kind: 'busy' };
  reportCsv(from.value, to.value, encoding)
    .then((f) => {
      save(f);
      exportState.value = {
        text: f.replacedRows ? t('reports.export.doneReplaced', { rows: f.replacedRows }) : t('reports.export.doneReport'),
        kind: 'done',
      };
    })
    .catch((e: unknown) => (exportState.value = { text: t('reports.export.failed', { detail: errorText(e) }), kind: 'error' }));
}

function exportCalls(encoding: CsvEncoding): void {
  exportState.value = { text: t('reports.export.progress', { rows: 0 }), kind: 'busy' };
  callsCsv(from.value, to.value, encoding, (rows) => (exportState.value = { text: t('reports.export.progress', { rows }), kind: 'busy' }))
    .then((f) => {
      save(f);
      const done = t('reports.export.doneCalls', { rows: f.rows });
      exportState.value = {
        text: f.replacedRows ? `${done} ${t('reports.export.doneReplaced', { rows: f.replacedRows })}` : done,
        kind: 'done',
      };
    })
    .catch((e: unknown) => (exportState.value = { text: t('reports.export.failed', { detail: errorText(e) }), kind: 'error' }));
}

const pct = (v: number | null | undefined) => (v === undefined || v === null ? '—' : `${v.toFixed(1)}%`);
const secs = (v: number) => duration(v);

function Presets() {
  const today = japanDay();
  const thisMonth = firstOfMonth(today);
  const lastMonth = firstOfMonth(today, 1);
  const presets: [string, string, string][] = [
    [t('reports.preset.today'), today, today],
    [t('reports.preset.yesterday'), japanDay(-1), japanDay(-1)],
    [t('reports.preset.week'), japanDay(-6), today],
    [t('reports.preset.thisMonth'), thisMonth, today],
    [t('reports.preset.lastMonth'), lastMonth, lastOfMonth(lastMonth)],
  ];
  return (
    <span class="rep-presets">
      {presets.map(([label, a, b]) => (
        <button
          key={label}
          type="button"
          class={from.value === a && to.value === b ? 'rep-preset on' : 'rep-preset'}
          onClick={() => {
            from.value = a;
            to.value = b;
            load();
          }}
        >
          {label}
        </button>
      ))}
    </span>
  );
}

function RangeForm() {
  return (
    <form
      class="rep-range"
      id="rep-range"
      onSubmit={(e) => {
        e.preventDefault();
        load();
      }}
    >
      <label>
        {t('reports.from')}
        <input type="date" id="rep-from" value={from.value} max={japanDay()} onInput={(e) => (from.value = e.currentTarget.value)} />
      </label>
      <span aria-hidden="true">〜</span>
      <label>
        {t('reports.to')}
        <input type="date" id="rep-to" value={to.value} max={japanDay()} onInput={(e) => (to.value = e.currentTarget.value)} />
      </label>
      <button type="submit" id="rep-show" disabled={loading.value}>
        {t('reports.show')}
      </button>
      <Presets />
      <span class="muted rep-max">{t('reports.max')}</span>
    </form>
  );
}

function Tile({ label, value, sub, id }: { label: string; value: string; sub?: string; id: string }) {
  return (
    <div class="rep-tile" id={id}>
      <span class="rep-tile-label">{label}</span>
      <strong class="rep-tile-value num">{value}</strong>
      {sub && <span class="rep-tile-sub muted">{sub}</span>}
    </div>
  );
}

function Tiles({ r }: { r: Report }) {
  const f = r.totals;
  return (
    <section class="rep-tiles" aria-label={t('reports.summary')}>
      <Tile id="rep-offered" label={t('reports.col.offered')} value={String(f.offered)} />
      <Tile id="rep-answered" label={t('reports.col.answered')} value={String(f.answered)} sub={t('reports.ofOffered', { pct: pct(f.offered ? (f.answered * 100) / f.offered : null) })} />
      <Tile id="rep-abandoned" label={t('reports.col.abandoned')} value={String(f.abandoned)} sub={t('reports.abandonRate', { pct: pct(f.abandon_percent) })} />
      <Tile id="rep-sl" label={t('reports.col.sl', { s: r.service_level_seconds })} value={pct(f.service_level_percent)} sub={t('reports.inTime', { n: f.answered_in_time })} />
      <Tile id="rep-asa" label={t('reports.col.asa')} value={secs(f.average_answer_seconds)} />
      <Tile id="rep-aht" label={t('reports.col.aht')} value={secs(f.average_handle_seconds)} sub={t('reports.handled', { n: f.handled })} />
      <Tile id="rep-outbound" label={t('reports.col.outbound')} value={String(f.outbound)} sub={t('reports.connected', { n: f.outbound_results.completed ?? 0 })} />
      <Tile id="rep-util" label={t('reports.col.utilisation')} value={pct(r.presence.utilisation_percent)} />
      <Tile id="rep-occ" label={t('reports.col.occupancy')} value={pct(r.presence.occupancy_percent)} />
    </section>
  );
}

/** Each day's incoming calls, answered and abandoned stacked, as plain SVG. */
function DailyChart({ r }: { r: Report }) {
  const W = 640;
  const H = 170;
  const L = 34;
  const B = 24;
  const T = 10;
  const plot = H - T - B;
  const max = Math.max(1, ...r.days.map((d) => d.figures.offered));
  const slot = (W - L - 6) / Math.max(1, r.days.length);
  const bar = Math.max(2, Math.min(28, slot - 3));
  const y = (v: number) => T + plot - (v / max) * plot;
  const every = Math.ceil(r.days.length / 10);
  return (
    <figure class="rep-chart">
      <figcaption>
        {t('reports.chart.daily')}
        <span class="rep-legend">
          <span class="rep-key rep-key-ans" aria-hidden="true" />
          {t('reports.col.answered')}
          <span class="rep-key rep-key-ab" aria-hidden="true" />
          {t('reports.col.abandoned')}
          <span class="rep-key rep-key-other" aria-hidden="true" />
          {t('reports.chart.other')}
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" id="rep-daily" aria-label={t('reports.chart.dailyLabel', { total: r.totals.offered })}>
        <line class="rep-grid" x1={L} x2={W - 6} y1={y(max)} y2={y(max)} />
        <text class="rep-tick" x={L - 4} y={y(max) + 3} text-anchor="end">
          {max}
        </text>
        <line class="rep-axis" x1={L} x2={W - 6} y1={y(0)} y2={y(0)} />
        <text class="rep-tick" x={L - 4} y={y(0) + 3} text-anchor="end">
          0
        </text>
        {r.days.map((d, i) => {
          const f = d.figures;
          const x = L + i * slot + (slot - bar) / 2;
          const other = Math.max(0, f.offered - f.answered - f.abandoned);
          const parts: [string, number][] = [
            ['rep-bar-ans', f.answered],
            ['rep-bar-ab', f.abandoned],
            ['rep-bar-other', other],
          ];
          let base = 0;
          return (
            <g key={d.day}>
              <title>{t('reports.chart.dayTip', { day: d.day, offered: f.offered, answered: f.answered, abandoned: f.abandoned })}</title>
              {parts.map(([cls, n]) => {
                const rect = n > 0 ? <rect key={cls} class={cls} x={x} width={bar} y={y(base + n)} height={y(base) - y(base + n)} /> : null;
                base += n;
                return rect;
              })}
              {i % every === 0 && (
                <text class="rep-tick" x={L + i * slot + slot / 2} y={H - 8} text-anchor="middle">
                  {d.day.slice(5).replace('-', '/')}
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

/** Each operator's logged-in time split into talk, hold, 後処理, 受付可 and the rest. */
function TimeChart({ ops }: { ops: OperatorRow[] }) {
  const shown = ops.filter((o) => o.presence.login_seconds > 0 || o.figures.talk_seconds > 0).slice(0, 30);
  if (!shown.length) return <p class="muted">{t('reports.chart.noTime')}</p>;
  const ROW = 20;
  const L = 110;
  const W = 640;
  const H = shown.length * ROW + 8;
  const max = Math.max(1, ...shown.map((o) => Math.max(o.presence.login_seconds, o.figures.talk_seconds + o.figures.hold_seconds + o.figures.wrap_up_seconds)));
  const x = (v: number) => (v / max) * (W - L - 8);
  return (
    <figure class="rep-chart">
      <figcaption>
        {t('reports.chart.time')}
        <span class="rep-legend">
          {(['talk', 'hold', 'wrap', 'avail', 'rest'] as const).map((k) => (
            <span key={k}>
              <span class={`rep-key rep-key-${k}`} aria-hidden="true" />
              {t(`reports.time.${k}`)}
            </span>
          ))}
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" id="rep-time" aria-label={t('reports.chart.time')}>
        {shown.map((o, i) => {
          const f = o.figures;
          const busy = f.talk_seconds + f.hold_seconds + f.wrap_up_seconds;
          const rest = Math.max(0, o.presence.login_seconds - busy - o.presence.available_seconds);
          const parts: [string, number][] = [
            ['talk', f.talk_seconds],
            ['hold', f.hold_seconds],
            ['wrap', f.wrap_up_seconds],
            ['avail', o.presence.available_seconds],
            ['rest', rest],
          ];
          let at = L;
          return (
            <g key={o.id}>
              <title>
                {t('reports.chart.timeTip', {
                  name: o.name,
                  login: secs(o.presence.login_seconds),
                  util: pct(o.presence.utilisation_percent),
                  occ: pct(o.presence.occupancy_percent),
                })}
              </title>
              <text class="rep-tick" x={L - 6} y={i * ROW + 15} text-anchor="end">
                {o.name.length > 9 ? `${o.name.slice(0, 9)}…` : o.name}
              </text>
              {parts.map(([k, n]) => {
                const w = x(n);
                const rect = w > 0 ? <rect key={k} class={`rep-bar-${k}`} x={at} y={i * ROW + 4} width={w} height={ROW - 6} /> : null;
                at += w;
                return rect;
              })}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

function figureCells(f: Figures) {
  return (
    <>
      <td class="num">{f.offered}</td>
      <td class="num">{f.answered}</td>
      <td class="num">{f.abandoned}</td>
      <td class="num">{pct(f.abandon_percent)}</td>
      <td class="num">{pct(f.service_level_percent)}</td>
      <td class="num">{secs(f.average_answer_seconds)}</td>
      <td class="num">{f.handled}</td>
      <td class="num">{secs(f.talk_seconds)}</td>
      <td class="num">{secs(f.hold_seconds)}</td>
      <td class="num">{secs(f.wrap_up_seconds)}</td>
      <td class="num">{secs(f.average_handle_seconds)}</td>
      <td class="num">{f.outbound}</td>
    </>
  );
}

function FigureHead({ sl }: { sl: number }) {
  return (
    <>
      <th>{t('reports.col.offered')}</th>
      <th>{t('reports.col.answered')}</th>
      <th>{t('reports.col.abandoned')}</th>
      <th>{t('reports.col.abandonRate')}</th>
      <th>{t('reports.col.sl', { s: sl })}</th>
      <th>{t('reports.col.asa')}</th>
      <th>{t('reports.col.handled')}</th>
      <th>{t('reports.col.talk')}</th>
      <th>{t('reports.col.hold')}</th>
      <th>{t('reports.col.wrap')}</th>
      <th>{t('reports.col.aht')}</th>
      <th>{t('reports.col.outbound')}</th>
    </>
  );
}

function OperatorTable({ r }: { r: Report }) {
  return (
    <section class="rep-table-wrap" aria-labelledby="rep-ops-title">
      <h2 id="rep-ops-title">{t('reports.byOperator')}</h2>
      {!r.operators.length ? (
        <p class="muted">{t('reports.none')}</p>
      ) : (
        <table class="rep-table" id="rep-operators">
          <thead>
            <tr>
              <th>{t('reports.col.name')}</th>
              <FigureHead sl={r.service_level_seconds} />
              <th>{t('reports.col.login')}</th>
              <th>{t('reports.col.available')}</th>
              <th>{t('reports.col.utilisation')}</th>
              <th>{t('reports.col.occupancy')}</th>
            </tr>
          </thead>
          <tbody>
            {r.operators.map((o) => (
              <tr key={o.id}>
                <th scope="row" title={o.id}>
                  {o.name}
                </th>
                {figureCells(o.figures)}
                <td class="num">{secs(o.presence.login_seconds)}</td>
                <td class="num">{secs(o.presence.available_seconds)}</td>
                <td class="num">{pct(o.presence.utilisation_percent)}</td>
                <td class="num">{pct(o.presence.occupancy_percent)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function GroupTable({ id, title, rows, sl }: { id: string; title: string; rows: Report['queues']; sl: number }) {
  return (
    <section class="rep-table-wrap" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {!rows.length ? (
        <p class="muted">{t('reports.none')}</p>
      ) : (
        <table class="rep-table" id={id}>
          <thead>
            <tr>
              <th>{t('reports.col.name')}</th>
              <FigureHead sl={sl} />
            </tr>
          </thead>
          <tbody>
            {rows.map((g) => (
              <tr key={g.id}>
                <th scope="row" title={g.id}>
                  {g.name}
                </th>
                {figureCells(g.figures)}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function OutboundResults({ f }: { f: Figures }) {
  if (!f.outbound) return null;
  return (
    <p class="rep-outbound" id="rep-outbound-results">
      {t('reports.outboundResults')}{' '}
      {Object.entries(f.outbound_results).map(([k, n]) => (
        <span key={k} class="rep-chip">
          {t(`reports.result.${k}` as 'reports.result.other')} <strong class="num">{n}</strong>
        </span>
      ))}
    </p>
  );
}

/** The call lists' result codes, in the order an operator chooses them. */
const RESULT_CODES = ['done', 'no_answer', 'callback'] as const;

/** Call-list results by result code: the centre's, each operator's and each list's. */
function CallResults({ r }: { r: Report }) {
  const rows = [
    { key: 'centre', unit: t('reports.results.centre'), name: t('reports.results.all'), f: r.totals },
    ...r.operators
      .filter((o) => o.figures.results > 0)
      .map((o) => ({ key: `op-${o.id}`, unit: t('reports.results.operator'), name: o.name, f: o.figures })),
    ...r.lists.map((l) => ({ key: `list-${l.id}`, unit: t('reports.results.list'), name: l.name, f: l.figures })),
  ];
  return (
    <section class="rep-table-wrap" aria-labelledby="rep-results-title">
      <h2 id="rep-results-title">{t('reports.results.title')}</h2>
      {!r.totals.results ? (
        <p class="muted">{t('reports.results.none')}</p>
      ) : (
        <table class="rep-table rep-results" id="rep-results">
          <thead>
            <tr>
              <th>{t('reports.results.unit')}</th>
              <th>{t('reports.col.name')}</th>
              {RESULT_CODES.map((c) => (
                <th key={c}>{t(`callList.outcome.${c}`)}</th>
              ))}
              <th>{t('reports.results.total')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.key} data-row={row.key}>
                <td>{row.unit}</td>
                <th scope="row">{row.name}</th>
                {RESULT_CODES.map((c) => (
                  <td key={c} class="num" data-code={c}>
                    {row.f.call_results[c] ?? 0}
                  </td>
                ))}
                <td class="num">{row.f.results}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Definitions({ sl }: { sl: number }) {
  const terms = ['utilisation', 'occupancy', 'sl', 'asa', 'aht', 'abandoned', 'available', 'results'] as const;
  return (
    <section class="rep-defs" id="rep-definitions" aria-labelledby="rep-defs-title">
      <h2 id="rep-defs-title">{t('reports.defs.title')}</h2>
      <dl>
        {terms.map((k) => (
          <div key={k}>
            <dt>{t(`reports.defs.${k}`)}</dt>
            <dd>{t(`reports.defs.${k}.text`, { s: sl })}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function Exports() {
  const state = exportState.value;
  const busy = state?.kind === 'busy';
  return (
    <section class="rep-exports" aria-labelledby="rep-exports-title">
      <h2 id="rep-exports-title">{t('reports.export.title')}</h2>
      <div class="rep-export-row">
        <span>{t('reports.export.report')}</span>
        <button type="button" id="rep-export-report-utf8" disabled={busy} onClick={() => exportReport('utf8')}>
          UTF-8
        </button>
        <button type="button" id="rep-export-report-sjis" disabled={busy} onClick={() => exportReport('sjis')}>
          Shift_JIS
        </button>
      </div>
      <div class="rep-export-row">
        <span>{t('reports.export.calls')}</span>
        <button type="button" id="rep-export-calls-utf8" disabled={busy} onClick={() => exportCalls('utf8')}>
          UTF-8
        </button>
        <button type="button" id="rep-export-calls-sjis" disabled={busy} onClick={() => exportCalls('sjis')}>
          Shift_JIS
        </button>
      </div>
      <p class="muted rep-export-note">{t('reports.export.note')}</p>
      {state && (
        <p class={`rep-export-state rep-export-${state.kind}`} id="rep-export-state" role={state.kind === 'error' ? 'alert' : 'status'}>
          {state.text}
        </p>
      )}
    </section>
  );
}

function Reports() {
  useEffect(() => {
    document.title = `${t('reports.title')} — ${t('app.title')}`;
    if (!report.peek()) load();
  }, []);
  const r = report.value;
  return (
    <div class="rep" id="reports">
      <header class="rep-head">
        <h1>{t('reports.title')}</h1>
        <span class="info-spacer" />
        <PageLink to="/monitor" class="link-button">
          {t('monitor.title')}
        </PageLink>
        <PageLink to="/" class="link-button">
          {t('app.operator')}
        </PageLink>
        <button type="button" class="link-button" aria-label={t('app.switchLangLabel')} onClick={() => setLang(lang.value === 'ja' ? 'en' : 'ja')}>
          {t('app.switchLang')}
        </button>
      </header>
      <main class="rep-main">
        <RangeForm />
        {error.value && (
          <p class="error-text" role="alert" id="rep-error">
            {error.value}
          </p>
        )}
        {loading.value && !r && <p class="muted">{t('app.loading')}</p>}
        {r && (
          <div class={loading.value ? 'rep-body rep-stale' : 'rep-body'} aria-busy={loading.value}>
            <p class="rep-period" id="rep-period">
              {t('reports.period', { from: r.from, to: r.to, days: r.days.length })}
            </p>
            <Tiles r={r} />
            <OutboundResults f={r.totals} />
            <div class="rep-charts">
              <DailyChart r={r} />
              <TimeChart ops={r.operators} />
            </div>
            <OperatorTable r={r} />
            <GroupTable id="rep-queues" title={t('reports.byQueue')} rows={r.queues} sl={r.service_level_seconds} />
            <GroupTable id="rep-statuses" title={t('reports.byStatus')} rows={r.statuses} sl={r.service_level_seconds} />
            <CallResults r={r} />
            <Exports />
            <Definitions sl={r.service_level_seconds} />
          </div>
        )}
      </main>
    </div>
  );
}

export function ReportsPage() {
  if (!hasRole('supervisor')) return <RoleRefusal id="reports-refused" title={t('reports.title')} message="reports.refused" />;
  return <Reports />;
}
