//! 営業時間 on the admin page: per line, the weekly schedule (spans per day), 祝日は休業, the
//! centre's own closed days (年末年始…) and what a caller gets while closed. Beside it, what the
//! hours being edited mean now — 「現在: 営業中（18:00まで）」 or 「休業中（次の営業開始: 12/4 9:00）」
//! — and the next national holidays, computed by the server (the same rules the calls follow).

import { useEffect, useState } from 'preact/hooks';
import { post } from '../api/client';
import { errorText } from '../api/errors';
import type { components } from '../api/schema.gen';
import { labelOf } from '../i18n';
import { th } from './hoursText';
import { settings } from '../state/settings';
import './hours.css';

type BusinessHours = components['schemas']['BusinessHours'];
type Weekly = components['schemas']['Weekly'];
type Span = components['schemas']['Span'];
type ClosedDays = components['schemas']['ClosedDays'];
type WhenClosed = components['schemas']['WhenClosed'];
type HoursPreview = components['schemas']['HoursPreview'];
type HoursByLine = Record<string, BusinessHours>;

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const satisfies readonly (keyof Weekly)[];

const CLOSED_TEXT = 'お電話ありがとうございます。本日の受付は終了いたしました。受付時間は平日の午前9時から午後6時までです。';

/** What a line starts with: weekdays 9:00–18:00, closed on holidays and 年末年始, a message. */
export function newHours(): BusinessHours {
  const day = (): Span[] => [{ start: '09:00', end: '18:00' }];
  return {
    weekly: { mon: day(), tue: day(), wed: day(), thu: day(), fri: day(), sat: [], sun: [] },
    closed_on_holidays: true,
    closed_days: [{ from: '12-29', to: '01-03', label: '年末年始' }],
    when_closed: { action: 'message', text: CLOSED_TEXT },
  };
}

/** `12/4 9:00` from an RFC 3339 moment on Japan's clock, as written (no time zone conversion). */
export function shortJst(rfc3339: string): string {
  const m = /^\d{4}-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(rfc3339);
  if (!m) return rfc3339;
  return `${Number(m[1])}/${Number(m[2])} ${Number(m[3])}:${m[4]}`;
}

function holidayDate(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return date;
  const wd = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).getUTCDay();
  const day = DAYS[(wd + 6) % 7] ?? 'mon';
  return `${m[1]}/${Number(m[2])}/${Number(m[3])}（${th(`hours.day.${day}`)}）`;
}

function LinePicker({ value, onChange, id }: { value: string; onChange: (v: string) => void; id: string }) {
  const lines = settings.value?.lines ?? [];
  return (
    <label class="hours-line">
      {th('hours.line')}
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        {lines.map((l) => (
          <option key={l.id} value={l.id}>
            {labelOf(l)}（{l.number}）
          </option>
        ))}
      </select>
    </label>
  );
}

/** The preview of `hours`, asked again (after a short pause) whenever they change. */
function Preview({ hours }: { hours: BusinessHours }) {
  const [preview, setPreview] = useState<HoursPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = JSON.stringify(hours);
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      post<HoursPreview>('/api/settings/hours/preview', hours)
        .then((p) => {
          if (!live) return;
          setPreview(p);
          setError(null);
        })
        .catch((e: unknown) => {
          if (!live) return;
          setPreview(null);
          setError(errorText(e));
        });
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [key]);
  if (error) {
    return (
      <div class="hours-preview" id="hours-preview" role="status">
        <p class="error-text">{th('hours.previewFailed', { reason: error })}</p>
      </div>
    );
  }
  if (!preview) return <div class="hours-preview" id="hours-preview" />;
  const now = preview.open
    ? th('hours.nowOpen', { until: shortJst(preview.until ?? '').split(' ').pop() ?? '' })
    : preview.opens
      ? th('hours.nowClosed', { opens: shortJst(preview.opens) })
      : th('hours.nowNever');
  return (
    <div class="hours-preview" id="hours-preview" role="status">
      <p class={`hours-now ${preview.open ? 'open' : 'closed'}`} id="hours-now">
        {th('hours.now')}: {now}
        {preview.closed_for ? ` ${th('hours.closedFor', { name: preview.closed_for })}` : ''}
      </p>
      <h4>{th('hours.nextHolidays')}</h4>
      <ul id="hours-holidays">
        {preview.holidays.map((h) => (
          <li key={h.date}>
            {holidayDate(h.date)} {h.name}
          </li>
        ))}
      </ul>
    </div>
  );
}

function SpansEditor({ day, spans, set }: { day: (typeof DAYS)[number]; spans: Span[]; set: (s: Span[]) => void }) {
  return (
    <div class="hours-day" id={`hours-${day}`}>
      <span class="hours-day-name">{th(`hours.day.${day}`)}</span>
      {spans.length === 0 && <span class="muted">{th('hours.dayClosed')}</span>}
      {spans.map((s, i) => (
        <span class="hours-span" key={i}>
          <input
            type="text"
            class="hours-time"
            inputMode="numeric"
            aria-label={`${th(`hours.day.${day}`)} ${i + 1} ${th('hours.start')}`}
            value={s.start}
            onInput={(e) => set(spans.map((x, j) => (j === i ? { ...x, start: e.currentTarget.value.trim() } : x)))}
          />
          〜
          <input
            type="text"
            class="hours-time"
            inputMode="numeric"
            aria-label={`${th(`hours.day.${day}`)} ${i + 1} ${th('hours.end')}`}
            value={s.end}
            onInput={(e) => set(spans.map((x, j) => (j === i ? { ...x, end: e.currentTarget.value.trim() } : x)))}
          />
          <button type="button" class="link-button" onClick={() => set(spans.filter((_, j) => j !== i))}>
            {th('hours.remove')}
          </button>
        </span>
      ))}
      <button type="button" class="link-button" onClick={() => set([...spans, { start: '09:00', end: '18:00' }])}>
        {th('hours.addSpan')}
      </button>
    </div>
  );
}

function ClosedDaysEditor({ rows, set }: { rows: ClosedDays[]; set: (r: ClosedDays[]) => void }) {
  const put = (i: number, row: ClosedDays) => set(rows.map((x, j) => (j === i ? row : x)));
  return (
    <fieldset class="hours-closed-days" id="hours-closed-days">
      <legend>{th('hours.closedDays')}</legend>
      <p class="muted">{th('hours.closedDaysHint')}</p>
      {rows.map((r, i) => (
        <div class="hours-closed-row" key={i}>
          <input type="text" class="mono" aria-label={`${th('hours.from')} ${i + 1}`} value={r.from} onInput={(e) => put(i, { ...r, from: e.currentTarget.value.trim() })} />
          〜
          <input
            type="text"
            class="mono"
            aria-label={`${th('hours.to')} ${i + 1}`}
            value={r.to ?? ''}
            onInput={(e) => {
              const v = e.currentTarget.value.trim();
              const next: ClosedDays = { from: r.from, label: r.label };
              if (v) next.to = v;
              put(i, next);
            }}
          />
          <input type="text" aria-label={`${th('hours.label')} ${i + 1}`} value={r.label} onInput={(e) => put(i, { ...r, label: e.currentTarget.value })} />
          <button type="button" class="link-button" onClick={() => set(rows.filter((_, j) => j !== i))}>
            {th('hours.remove')}
          </button>
        </div>
      ))}
      <button type="button" class="link-button" id="hours-add-closed-day" onClick={() => set([...rows, { from: '', label: '' }])}>
        {th('hours.addClosedDay')}
      </button>
    </fieldset>
  );
}

function WhenClosedEditor({ value, set }: { value: WhenClosed; set: (w: WhenClosed) => void }) {
  const choose = (action: string) => {
    if (action === 'voicemail') set({ action: 'voicemail', greeting: 'ただいまの時間は受付時間外です。発信音の後にご用件をお話しください。' });
    else if (action === 'forward') set({ action: 'forward', number: '' });
    else set({ action: 'message', text: CLOSED_TEXT });
  };
  return (
    <fieldset class="hours-when-closed">
      <legend>{th('hours.whenClosed')}</legend>
      <select id="hours-when-closed" aria-label={th('hours.whenClosed')} value={value.action} onChange={(e) => choose(e.currentTarget.value)}>
        <option value="message">{th('hours.wc.message')}</option>
        <option value="voicemail">{th('hours.wc.voicemail')}</option>
        <option value="forward">{th('hours.wc.forward')}</option>
      </select>
      {value.action === 'message' && (
        <label>
          {th('hours.wc.text')}
          <textarea id="hours-closed-text" rows={3} value={value.text} onInput={(e) => set({ action: 'message', text: e.currentTarget.value })} />
        </label>
      )}
      {value.action === 'voicemail' && (
        <label>
          {th('hours.wc.greeting')}
          <textarea id="hours-closed-greeting" rows={3} value={value.greeting} onInput={(e) => set({ action: 'voicemail', greeting: e.currentTarget.value })} />
        </label>
      )}
      {value.action === 'forward' && (
        <label>
          {th('hours.wc.number')}
          <input id="hours-closed-number" type="tel" value={value.number} onInput={(e) => set({ action: 'forward', number: e.currentTarget.value.trim() })} />
        </label>
      )}
    </fieldset>
  );
}

/** The section's body: `value` is every line's hours by line id. */
export function HoursEditor({ value, set }: { value: HoursByLine | undefined; set: (v: HoursByLine) => void }) {
  const all = value ?? {};
  const lines = settings.value?.lines ?? [];
  const [line, setLine] = useState(lines[0]?.id ?? '');
  const hours = all[line];
  const put = (h: BusinessHours | undefined) => {
    const next = { ...all };
    if (h) next[line] = h;
    else delete next[line];
    set(next);
  };
  return (
    <div class="hours-editor">
      <LinePicker id="hours-line" value={line} onChange={setLine} />
      <label class="check">
        <input type="checkbox" id="hours-enabled" checked={!!hours} onChange={(e) => put(e.currentTarget.checked ? newHours() : undefined)} />
        {th('hours.enabled')}
      </label>
      {hours && (
        <div class="hours-grid">
          <div class="hours-form">
            <fieldset class="hours-weekly">
              <legend>{th('hours.weekly')}</legend>
              {DAYS.map((d) => (
                <SpansEditor key={d} day={d} spans={hours.weekly[d] ?? []} set={(s) => put({ ...hours, weekly: { ...hours.weekly, [d]: s } })} />
              ))}
            </fieldset>
            <label class="check">
              <input
                type="checkbox"
                id="hours-closed-on-holidays"
                checked={hours.closed_on_holidays ?? true}
                onChange={(e) => put({ ...hours, closed_on_holidays: e.currentTarget.checked })}
              />
              {th('hours.holidays')}
            </label>
            <ClosedDaysEditor rows={hours.closed_days ?? []} set={(r) => put({ ...hours, closed_days: r })} />
            <WhenClosedEditor value={hours.when_closed} set={(w) => put({ ...hours, when_closed: w })} />
          </div>
          <Preview hours={hours} />
        </div>
      )}
    </div>
  );
}
