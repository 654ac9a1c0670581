//! The callers waiting for an operator, oldest first, with the longest wait in large type.

import { duration } from '../format';
import { t } from '../i18n';
import type { Waiting } from './api';
import { secondsSince } from './board';

/** Waits longer than this are shown as a warning. */
const LONG_WAIT_SECONDS = 60;

export function QueuePanel({ queue }: { queue: Waiting[] }) {
  const longest = queue.length ? (secondsSince(queue[0].since) ?? 0) : 0;
  return (
    <section class="mon-panel mon-queue" id="mon-queue" aria-labelledby="mon-queue-title">
      <h2 id="mon-queue-title">{t('monitor.queue')}</h2>
      <div class="mon-queue-figures">
        <div class="mon-figure">
          <span class="mon-figure-label">{t('monitor.waiting')}</span>
          <span class="mon-figure-value num" id="mon-queue-count">
            {t('monitor.calls', { count: queue.length })}
          </span>
        </div>
        <div class={`mon-figure ${longest >= LONG_WAIT_SECONDS ? 'warn' : ''}`}>
          <span class="mon-figure-label">{t('monitor.longestWait')}</span>
          <span class="mon-figure-value num" id="mon-longest-wait">
            {duration(longest)}
          </span>
        </div>
      </div>
      <ol class="mon-queue-list" aria-label={t('monitor.queue')}>
        {queue.length === 0 && <li class="muted mon-queue-empty">{t('monitor.queueEmpty')}</li>}
        {queue.map((w) => {
          const waited = secondsSince(w.since) ?? 0;
          return (
            <li key={w.sid} class={waited >= LONG_WAIT_SECONDS ? 'warn' : ''}>
              <span class="mon-number">{w.customer_display ?? w.customer ?? t('call.unknownNumber')}</span>
              <span class="num">{duration(waited)}</span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
