//! The callers waiting for an operator, oldest first, with the longest wait in large type, and
//! each queue (窓口) on a row of its own: its callers waiting and its longest wait.

import { duration } from '../format';
import { t } from '../i18n';
import type { QueueFigures, Waiting } from './api';
import { secondsSince } from './board';
import { queueName, tq } from './queueText';

/** Waits longer than this are shown as a warning. */
const LONG_WAIT_SECONDS = 60;

/**
 * A queue's longest wait now: counted on from its oldest caller listed, or from the board's
 * figure when that caller is beyond the listed ones (`readAt` is when the board was read).
 */
function longestIn(q: QueueFigures, queue: Waiting[], readAt: string): number {
  if (q.waiting === 0) return 0;
  const oldest = queue.find((w) => w.queue === q.id);
  if (oldest) return secondsSince(oldest.since) ?? 0;
  return q.longest_wait_seconds + (secondsSince(readAt) ?? 0);
}

export function QueuePanel({ queue, queues, at }: { queue: Waiting[]; queues: QueueFigures[]; at: string }) {
  const longest = queue.length ? (secondsSince(queue[0].since) ?? 0) : 0;
  const names = new Map(queues.map((q) => [q.id, queueName(q)]));
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
      {queues.length > 1 && (
        <table class="mon-queues" id="mon-queues" aria-label={tq('queues.title')}>
          <thead>
            <tr>
              <th scope="col">{tq('queues.name')}</th>
              <th scope="col">{tq('queues.waiting')}</th>
              <th scope="col">{tq('queues.longest')}</th>
            </tr>
          </thead>
          <tbody>
            {queues.map((q) => {
              const waited = longestIn(q, queue, at);
              return (
                <tr key={q.id} data-queue={q.id} class={waited >= LONG_WAIT_SECONDS ? 'warn' : ''}>
                  <th scope="row">{queueName(q)}</th>
                  <td class="num mon-queue-waiting">{t('monitor.calls', { count: q.waiting })}</td>
                  <td class="num mon-queue-longest">{duration(waited)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <ol class="mon-queue-list" aria-label={t('monitor.queue')}>
        {queue.length === 0 && <li class="muted mon-queue-empty">{t('monitor.queueEmpty')}</li>}
        {queue.map((w) => {
          const waited = secondsSince(w.since) ?? 0;
          return (
            <li key={w.sid} class={waited >= LONG_WAIT_SECONDS ? 'warn' : ''}>
              <span class="mon-number">{w.customer_display ?? w.customer ?? t('call.unknownNumber')}</span>
              {queues.length > 1 && <span class="mon-queue-tag">{names.get(w.queue) ?? w.queue}</span>}
              <span class="num">{duration(waited)}</span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
