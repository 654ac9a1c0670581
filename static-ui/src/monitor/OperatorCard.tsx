//! One operator on the board: their status and how long they have been in it, the live call
//! (customer, duration, held, transfer or consultation, a supervisor on it), the memo as they
//! type it with its response status, the listen / whisper / barge / leave controls, and the release
//! of an operator held by a call that has ended. Every
//! card has the same fixed size whether or not there is a call, so the board never jumps.

import { useLayoutEffect, useRef } from 'preact/hooks';
import { Icon } from '../components/Icon';
import { clockTime, duration } from '../format';
import type { MessageKey } from '../i18n';
import { labelOf, t } from '../i18n';
import { responseStatusLabel, settings } from '../state/settings';
import type { BoardCall, BoardOperator, MonitorMode } from './api';
import { secondsSince } from './board';
import { customerNames } from './names';
import { boardTranscripts } from './transcripts';
import { RaisedHand } from './Hand';
import { ReleaseControl } from './Release';
import type { MonitorSession } from './session';
import { leaveMonitoredCall, monitorCall, monitorNotice, monitorSession } from './session';

const BUILTIN_PRESENCE = new Set(['available', 'away', 'wrap_up', 'break', 'offline', 'on_call']);
const MODES: MonitorMode[] = ['listen', 'whisper', 'barge'];

/** The label of a presence id: built in, or one an admin added. */
export function presenceText(id: string): string {
  if (BUILTIN_PRESENCE.has(id)) return t(`presence.${id}` as MessageKey);
  const custom = settings.value?.presence_statuses.find((p) => p.id === id);
  return custom ? labelOf(custom) : id;
}

function Memo({ call }: { call: BoardCall }) {
  const box = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  // The newest words stay in view while the operator types, unless the supervisor scrolled up.
  useLayoutEffect(() => {
    const el = box.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [call.memo]);
  const updated = call.memo_updated_at ? new Date(call.memo_updated_at) : null;
  return (
    <div class="mon-memo">
      <div class="mon-memo-meta">
        <span>
          {t('monitor.responseStatus')}:{' '}
          <strong class="mon-rs">{call.response_status ? responseStatusLabel(call.response_status) : t('monitor.noResponseStatus')}</strong>
        </span>
        {updated && !Number.isNaN(updated.getTime()) && <span class="muted">{t('monitor.memoUpdated', { time: clockTime(updated) })}</span>}
      </div>
      <div
        ref={box}
        class={`mon-memo-text pre ${call.memo ? '' : 'muted'}`}
        tabIndex={0}
        aria-label={t('monitor.memo')}
        onScroll={(e) => {
          const el = e.currentTarget;
          pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 8;
        }}
      >
        {call.memo || t('monitor.noMemo')}
      </div>
    </div>
  );
}

/** The last lines of the call's live transcript (on a line that transcribes). */
function CardTranscript({ call }: { call: string }) {
  const lines = boardTranscripts.value[call];
  if (!lines?.length) return null;
  return (
    <ol class="mon-transcript" aria-label={t('transcript.title')}>
      {lines.map((l) => (
        <li key={l.seq} class={`speaker-${l.speaker}`}>
          <span class="transcript-who">{t(`transcript.${l.speaker}`)}</span> {l.text}
        </li>
      ))}
    </ol>
  );
}

function sessionText(s: MonitorSession): string {
  switch (s.phase) {
    case 'requesting':
      return t('monitor.phase.requesting');
    case 'ringing':
      return t('monitor.phase.ringing');
    case 'switching':
      return t('monitor.phase.switching', { mode: t(`monitor.mode.${s.next ?? s.mode}`) });
    case 'leaving':
      return t('monitor.phase.leaving');
    case 'connected':
      return t(`monitor.on.${s.mode}`);
  }
}

function Controls({ op, call }: { op: BoardOperator; call: BoardCall }) {
  const s = monitorSession.value;
  const mine = s?.call === call.sid ? s : null;
  const busy = !!mine && mine.phase !== 'connected';
  const answered = !!call.answered_at;
  const notice = monitorNotice.value?.call === call.sid ? monitorNotice.value : null;
  const hint = (m: MonitorMode) => t(`monitor.hint.${m}`);
  let state: { text: string; kind: 'on' | 'busy' | 'other' | 'idle' } = { text: '', kind: 'idle' };
  if (mine) state = { text: sessionText(mine), kind: mine.phase === 'connected' ? 'on' : 'busy' };
  else if (call.monitor) state = { text: t('monitor.byOther', { mode: t(`monitor.mode.${call.monitor}`) }), kind: 'other' };
  else if (!answered) state = { text: t('monitor.notAnswered'), kind: 'idle' };
  return (
    <div class="mon-controls">
      <div class="mon-buttons" role="group" aria-label={t('monitor.controlsFor', { name: op.name })}>
        {MODES.map((m) => {
          const active = mine?.phase === 'connected' && mine.mode === m;
          return (
            <button
              key={m}
              type="button"
              id={`mon-${m}-${op.id}`}
              class={`small mon-mode mon-mode-${m} ${active ? 'active' : ''}`}
              aria-pressed={active}
              disabled={!answered || busy}
              title={answered ? hint(m) : t('monitor.notAnswered')}
              onClick={() => void monitorCall(call.sid, m)}
            >
              {t(`monitor.mode.${m}`)}
            </button>
          );
        })}
        <button
          type="button"
          id={`mon-leave-${op.id}`}
          class="small mon-leave"
          disabled={!mine || mine.phase === 'leaving'}
          title={t('monitor.hint.leave')}
          onClick={() => void leaveMonitoredCall(call.sid)}
        >
          {t('monitor.leave')}
        </button>
      </div>
      <p
        class={`mon-state mon-state-${notice ? notice.kind : state.kind}`}
        role="status"
        id={`mon-state-${op.id}`}
        title={notice ? notice.text : state.text}
      >
        {notice ? notice.text : state.text}
      </p>
    </div>
  );
}

function CallLine({ call }: { call: BoardCall }) {
  const names = customerNames(call.account_id, call.contact_id);
  const who = [names.account, names.contact].filter(Boolean).join(' / ');
  const talk = secondsSince(call.answered_at);
  const mine = monitorSession.value?.call === call.sid;
  return (
    <div class="mon-call">
      <div class="mon-call-who">
        <Icon name={call.direction === 'outbound' ? 'outbound' : 'inbound'} />
        <span class="sr-only">{t(call.direction === 'outbound' ? 'history.outbound' : 'history.inbound')}</span>
        <span class="mon-number">{call.customer_display ?? call.customer ?? t('call.unknownNumber')}</span>
        {who && <span class="mon-who" title={who}>{who}</span>}
      </div>
      <div class="mon-call-state">
        <span class="mon-duration num" title={t('monitor.talkTime')}>
          {talk === null ? t('monitor.ringing') : duration(talk)}
        </span>
        {call.customer_held && <span class="mon-badge mon-badge-held">{t('monitor.held')}</span>}
        {call.with?.includes('transfer') && <span class="mon-badge mon-badge-with">{t('monitor.transfer')}</span>}
        {call.with?.includes('consult') && <span class="mon-badge mon-badge-with">{t('monitor.consult')}</span>}
        {call.monitor && (
          <span class="mon-badge mon-badge-monitor">{t(mine ? 'monitor.badgeMine' : 'monitor.badge', { mode: t(`monitor.mode.${call.monitor}`) })}</span>
        )}
      </div>
    </div>
  );
}

export function OperatorCard({ op }: { op: BoardOperator }) {
  const inStatus = secondsSince(op.status_since);
  const call = op.call;
  return (
    <article
      class={`mon-card status-${op.status} ${call ? 'has-call' : ''} ${op.hand_raised_at ? 'hand-up' : ''}`}
      id={`mon-op-${op.id}`}
      aria-labelledby={`mon-name-${op.id}`}
    >
      <header class="mon-card-head">
        <h3 id={`mon-name-${op.id}`} class="mon-name">
          {op.name}
        </h3>
        {op.role !== 'operator' && <span class={`role-badge role-${op.role}`}>{t(`role.${op.role}`)}</span>}
        <RaisedHand op={op} />
        <span class="info-spacer" />
        <span class={`mon-status status-${op.status}`}>
          <span class="mon-status-dot" aria-hidden="true" />
          {presenceText(op.status)}
          <span class="num mon-status-time" title={t('monitor.inStatus')}>
            {inStatus === null ? '' : duration(inStatus)}
          </span>
        </span>
        <ReleaseControl op={op} />
      </header>
      {call ? (
        <>
          <CallLine call={call} />
          <Memo call={call} />
          <CardTranscript call={call.sid} />
          <Controls op={op} call={call} />
        </>
      ) : (
        <>
          {op.external && (
            <p class="mon-external" id={`mon-external-${op.id}`} title={t('history.externalTitle', { by: op.name, to: op.external.to_display, mode: t(`history.externalMode.${op.external.mode === 'cold' ? 'cold' : 'warm'}`) })}>
              {t('monitor.external', { to: op.external.to_display })}
            </p>
          )}
          <p class="mon-nocall muted">{op.current_call ? t('monitor.callLoading') : t('monitor.noCall')}</p>
        </>
      )}
    </article>
  );
}
