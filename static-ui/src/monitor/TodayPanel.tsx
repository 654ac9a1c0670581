//! Today's figures (Japan's day, counted as calls end) and a small hourly chart of the calls
//! that came in, drawn as plain SVG: 24 bars need no chart library.

import { duration } from '../format';
import { t } from '../i18n';
import type { DayFigures, HourFigures } from './api';
import { serverNow } from './board';

const W = 336;
const H = 132;
const LEFT = 26;
const RIGHT = 4;
const TOP = 10;
const BOTTOM = 22;
const PLOT_H = H - TOP - BOTTOM;
const SLOT = (W - LEFT - RIGHT) / 24;
const BAR = SLOT - 4;

/** The hour in Japan now (the day the figures count). */
function japanHour(ms: number): number {
  return new Date(ms + 9 * 3600_000).getUTCHours();
}

function HourlyChart({ hours }: { hours: HourFigures[] }) {
  const max = Math.max(1, ...hours.map((h) => h.inbound));
  const y = (v: number) => TOP + PLOT_H - (v / max) * PLOT_H;
  const current = japanHour(serverNow.value);
  const total = hours.reduce((n, h) => n + h.inbound, 0);
  return (
    <figure class="mon-chart">
      <figcaption class="mon-chart-title">
        {t('monitor.chartTitle')}
        <span class="mon-legend">
          <span class="mon-key mon-key-in" aria-hidden="true" />
          {t('monitor.legendIn')}
          <span class="mon-key mon-key-ab" aria-hidden="true" />
          {t('monitor.legendAbandoned')}
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label={t('monitor.chartLabel', { total })} id="mon-chart">
        {total > 0 && (
          <>
            <line class="mon-grid" x1={LEFT} x2={W - RIGHT} y1={y(max)} y2={y(max)} />
            <line class="mon-grid" x1={LEFT} x2={W - RIGHT} y1={y(max / 2)} y2={y(max / 2)} />
            <text class="mon-tick" x={LEFT - 4} y={y(max) + 3} text-anchor="end">
              {max}
            </text>
          </>
        )}
        <line class="mon-axis" x1={LEFT} x2={W - RIGHT} y1={y(0)} y2={y(0)} />
        <text class="mon-tick" x={LEFT - 4} y={y(0) + 3} text-anchor="end">
          0
        </text>
        {hours.map((h) => {
          const x = LEFT + h.hour * SLOT + (SLOT - BAR) / 2;
          const answeredOrOther = Math.max(0, h.inbound - h.abandoned);
          return (
            <g key={h.hour} class={h.hour === current ? 'now' : ''}>
              <title>{t('monitor.hourTip', { hour: h.hour, inbound: h.inbound, answered: h.answered, abandoned: h.abandoned })}</title>
              {h.inbound > 0 && (
                <>
                  <rect class="mon-bar-in" x={x} width={BAR} y={y(answeredOrOther)} height={y(0) - y(answeredOrOther)} />
                  <rect class="mon-bar-ab" x={x} width={BAR} y={y(h.inbound)} height={y(answeredOrOther) - y(h.inbound)} />
                </>
              )}
              {h.hour % 3 === 0 && (
                <text class="mon-tick" x={LEFT + h.hour * SLOT + SLOT / 2} y={H - 8} text-anchor="middle">
                  {h.hour}
                </text>
              )}
              {h.hour === current && (
                // A small caret under the axis, not a bar: an empty chart must not look like one.
                <path
                  class="mon-now"
                  d={`M ${LEFT + h.hour * SLOT + SLOT / 2} ${H - BOTTOM + 2} l -3 4 h 6 z`}
                  aria-label={t('monitor.now')}
                />
              )}
            </g>
          );
        })}
        {total === 0 && (
          <text class="mon-empty" x={(W + LEFT) / 2} y={TOP + PLOT_H / 2} text-anchor="middle">
            {t('monitor.chartEmpty')}
          </text>
        )}
      </svg>
    </figure>
  );
}

function Figure({ id, label, value, sub }: { id: string; label: string; value: string; sub?: string }) {
  return (
    <div class="mon-figure">
      <span class="mon-figure-label">{label}</span>
      <span class="mon-figure-value num" id={`mon-today-${id}`}>
        {value}
      </span>
      {sub && <span class="mon-figure-sub muted">{sub}</span>}
    </div>
  );
}

export function TodayPanel({ today }: { today: DayFigures }) {
  const rate = today.inbound > 0 ? Math.round((today.abandoned / today.inbound) * 1000) / 10 : null;
  return (
    <section class="mon-panel mon-today" id="mon-today" aria-labelledby="mon-today-title">
      <h2 id="mon-today-title">
        {t('monitor.today')} <span class="muted mon-day">{today.day}</span>
      </h2>
      <div class="mon-today-grid">
        <Figure id="inbound" label={t('monitor.inbound')} value={t('monitor.calls', { count: today.inbound })} />
        <Figure id="outbound" label={t('monitor.outbound')} value={t('monitor.calls', { count: today.outbound })} />
        <Figure id="answered" label={t('monitor.answered')} value={t('monitor.calls', { count: today.answered })} />
        <Figure
          id="abandoned"
          label={t('monitor.abandoned')}
          value={t('monitor.calls', { count: today.abandoned })}
          {...(rate === null ? {} : { sub: t('monitor.abandonRate', { rate }) })}
        />
        <Figure id="handle" label={t('monitor.averageHandle')} value={duration(today.average_handle_seconds)} />
        <Figure id="wait" label={t('monitor.averageWait')} value={duration(today.average_wait_seconds)} />
      </div>
      <HourlyChart hours={today.hours} />
    </section>
  );
}
