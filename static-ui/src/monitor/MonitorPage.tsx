//! The supervisor's page (/monitor): every operator with their status, live call and memo as it
//! is typed; the queue; today's figures; and listening, whispering or barging in on a call
//! through the supervisor's own softphone. Loaded on demand; supervisors and admins only.

import { useEffect } from 'preact/hooks';
import { PageLink, RoleRefusal } from '../components/PageLink';
import { currentUser, hasRole } from '../auth';
import { clockTime } from '../format';
import { lang, setLang, t } from '../i18n';
import type { BoardOperator } from './api';
import { board, boardError, boardForbidden, boardReadAt, startPolling, stopPolling } from './board';
import { forgetNames } from './names';
import { OperatorCard, presenceText } from './OperatorCard';
import { QueuePanel } from './QueuePanel';
import { monitorNotice, monitorSession, phoneDetail, phoneStatus, startMonitorPhone, stopMonitorPhone } from './session';
import { TodayPanel } from './TodayPanel';
import { startBoardTranscripts } from './transcripts';
import './monitor.css';

function PhoneBadge() {
  const status = phoneStatus.value;
  const detail = phoneDetail.value;
  const session = monitorSession.value;
  // While the supervisor is in a call, the phone is not waiting: say what it is doing.
  const busy = status === 'ready' && session && session.phase !== 'leaving' ? session : null;
  return (
    <span class={`mon-phone mon-phone-${busy ? 'busy' : status}`} id="mon-phone" title={detail ?? undefined}>
      <span class="mon-status-dot" aria-hidden="true" />
      {busy
        ? t(busy.phase === 'connected' ? 'monitor.phone.in' : 'monitor.phone.joining', { mode: t(`monitor.mode.${busy.mode}`) })
        : t(`monitor.phone.${status}`)}
    </span>
  );
}

function Freshness() {
  const at = boardReadAt.value;
  const error = boardError.value;
  if (error) {
    return (
      <span class="mon-fresh mon-fresh-error" role="status" id="mon-fresh">
        {t('monitor.stale', { time: at ? clockTime(new Date(at)) : '—', detail: error })}
      </span>
    );
  }
  return (
    <span class="mon-fresh" id="mon-fresh">
      {at ? t('monitor.updatedAt', { time: clockTime(new Date(at)) }) : t('app.loading')}
    </span>
  );
}

const ROLE_ORDER = { operator: 0, supervisor: 1, admin: 2 } as const;

/** Operators first, then supervisors and admins (who seldom take calls), each in the board's order. */
function byRole(ops: BoardOperator[]): BoardOperator[] {
  return ops.map((o, i) => ({ o, i })).sort((a, b) => ROLE_ORDER[a.o.role] - ROLE_ORDER[b.o.role] || a.i - b.i).map((x) => x.o);
}

/** How many operators are in each status, in the order the statuses first appear. */
function Summary({ operators }: { operators: BoardOperator[] }) {
  const counts = new Map<string, number>();
  for (const o of operators) counts.set(o.status, (counts.get(o.status) ?? 0) + 1);
  return (
    <p class="mon-summary" id="mon-summary">
      {[...counts].map(([status, n]) => (
        <span key={status} class={`mon-status status-${status}`}>
          <span class="mon-status-dot" aria-hidden="true" />
          {presenceText(status)} <strong class="num">{n}</strong>
        </span>
      ))}
    </p>
  );
}

/** A notice about a call that is no longer on the board (or about the page). */
function Banner() {
  const n = monitorNotice.value;
  const b = board.value;
  if (!n) return null;
  const onBoard = n.call !== null && !!b?.operators.some((o) => o.call?.sid === n.call);
  if (onBoard) return null;
  return (
    <p class={`mon-banner mon-banner-${n.kind}`} role={n.kind === 'error' ? 'alert' : 'status'} id="mon-banner">
      {n.text}
      <button type="button" class="link-button" onClick={() => (monitorNotice.value = null)}>
        {t('app.close')}
      </button>
    </p>
  );
}

function Board() {
  useEffect(() => {
    document.title = `${t('monitor.title')} — ${t('app.title')}`;
    startPolling();
    const stopTranscripts = startBoardTranscripts();
    startMonitorPhone();
    const unloading = () => stopMonitorPhone(true);
    // Back from the browser's page cache: the phone was released when the page was left.
    const back = (e: PageTransitionEvent) => {
      if (e.persisted) startMonitorPhone();
    };
    addEventListener('pagehide', unloading);
    addEventListener('pageshow', back);
    return () => {
      removeEventListener('pagehide', unloading);
      removeEventListener('pageshow', back);
      stopPolling(true);
      stopTranscripts();
      stopMonitorPhone();
      forgetNames();
    };
  }, []);

  if (boardForbidden.value) return <RoleRefusal id="monitor-refused" title={t('monitor.title')} message="monitor.refused" />;
  const b = board.value;
  const onCall = monitorSession.value;
  return (
    <div class="mon" id="monitor">
      <header class="mon-head">
        <h1>{t('monitor.title')}</h1>
        <span class="mon-user">
          {currentUser.value?.name}
          {onCall?.phase === 'connected' && <span class="mon-live">{t(`monitor.on.${onCall.mode}`)}</span>}
        </span>
        <PhoneBadge />
        <Freshness />
        <span class="info-spacer" />
        <PageLink to="/reports" id="mon-reports" class="link-button">
          {t('reports.title')}
        </PageLink>
        {hasRole('admin') && (
          <PageLink to="/admin/call-lists" class="link-button">
            {t('lists.title')}
          </PageLink>
        )}
        {hasRole('admin') && (
          <PageLink to="/admin" class="link-button">
            {t('app.admin')}
          </PageLink>
        )}
        <PageLink to="/" class="link-button">
          {t('app.operator')}
        </PageLink>
        <button type="button" class="link-button" aria-label={t('app.switchLangLabel')} onClick={() => setLang(lang.value === 'ja' ? 'en' : 'ja')}>
          {t('app.switchLang')}
        </button>
      </header>
      <Banner />
      {!b ? (
        <main class="mon-loading" aria-busy="true">
          <p class="muted">{boardError.value ? t('app.loadFailed', { detail: boardError.value }) : t('app.loading')}</p>
        </main>
      ) : (
        <main class="mon-layout">
          <section class="mon-operators" aria-labelledby="mon-operators-title">
            <div class="mon-section-head">
              <h2 id="mon-operators-title">{t('monitor.operators', { count: b.operators.length })}</h2>
              <Summary operators={b.operators} />
            </div>
            <div class="mon-cards">
              {byRole(b.operators).map((op) => (
                <OperatorCard key={op.id} op={op} />
              ))}
            </div>
          </section>
          <aside class="mon-side">
            <QueuePanel queue={b.queue} queues={b.queues ?? []} at={b.at} />
            <TodayPanel today={b.today} />
          </aside>
        </main>
      )}
    </div>
  );
}

export function MonitorPage() {
  if (!hasRole('supervisor')) return <RoleRefusal id="monitor-refused" title={t('monitor.title')} message="monitor.refused" />;
  return <Board />;
}
