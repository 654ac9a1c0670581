//! The call-list dialog (架電リスト): the lists with their progress, a list's queue of targets
//! (click one, or take the next), and — once a call to the held target ended — its result:
//! 完了 / 不在 / 再架電 (with when), the response status and the memo.

import { useEffect, useState } from 'preact/hooks';
import type { Outcome, Target } from '../api/callLists';
import { Dialog } from '../components/Dialog';
import { dateTime, fromLocalInput, nationalPhone } from '../format';
import { labelOf, t } from '../i18n';
import {
  callListOpen,
  chooseList,
  currentList,
  listBusy,
  listError,
  lists,
  loadLists,
  recordResult,
  releaseWorked,
  resultDefaults,
  step,
  take,
  takeNext,
  targets,
  worked,
} from '../state/callList';
import { activeCall } from '../state/call';
import { settings } from '../state/settings';

function stateLabel(target: Target): string {
  switch (target.state) {
    case 'callback':
      return target.callback_at ? t('callList.state.callbackAt', { at: dateTime(target.callback_at) }) : t('callList.state.callback');
    case 'no_answer':
      return t('callList.state.no_answer');
    case 'in_progress':
      return target.lease?.expired ? t('callList.state.leaseExpired') : t('callList.state.in_progress');
    case 'done':
      return t('callList.state.done');
    default:
      return t('callList.state.not_called');
  }
}

function Lists() {
  const items = lists.value;
  return (
    <div id="calllist-lists">
      {!items && <p class="muted">{t('app.loading')}</p>}
      {items?.length === 0 && <p class="muted">{t('callList.noLists')}</p>}
      <ul class="calllist-lists">
        {items?.map((l) => (
          <li key={l.id}>
            <button type="button" class="calllist-list" data-list={l.id} onClick={() => void chooseList(l)}>
              <strong>{l.name}</strong>
              <span class="muted">{l.description}</span>
              <span class="calllist-counts">
                {t('callList.counts', {
                  not_called: l.counts.not_called,
                  callback: l.counts.callback,
                  no_answer: l.counts.no_answer,
                  done: l.counts.done,
                  total: l.counts.total,
                })}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Targets() {
  const list = currentList.value;
  const items = targets.value;
  return (
    <div id="calllist-targets">
      <div class="calllist-bar">
        <button
          type="button"
          class="link-button"
          onClick={() => {
            step.value = 'lists';
            void loadLists();
          }}
        >
          {t('callList.back')}
        </button>
        <strong class="calllist-name">{list?.name}</strong>
        <button type="button" class="primary" id="calllist-next" disabled={listBusy.value} onClick={() => void takeNext()}>
          {t('callList.next')}
        </button>
      </div>
      {!items && <p class="muted">{t('app.loading')}</p>}
      {items?.length === 0 && <p class="muted">{t('callList.nothingLeft')}</p>}
      {items && items.length > 0 && (
        <table class="list-table calllist-table">
          <thead>
            <tr>
              <th scope="col">{t('callList.col.name')}</th>
              <th scope="col">{t('callList.col.phone')}</th>
              <th scope="col">{t('callList.col.state')}</th>
              <th scope="col">{t('callList.col.attempts')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((tg) => (
              <tr
                key={tg.id}
                class="clickable"
                tabIndex={0}
                data-target={tg.id}
                onClick={() => void take(tg)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' || e.key === ' ') {
                    e.preventDefault();
                    void take(tg);
                  }
                }}
              >
                <td>
                  <span class="rec-title">{tg.name}</span>
                  {tg.account_name && tg.account_name !== tg.name && <span class="muted"> {tg.account_name}</span>}
                </td>
                <td class="nowrap">{tg.phone_display || nationalPhone(tg.phone)}</td>
                <td class="nowrap">{stateLabel(tg)}</td>
                <td class="num">{tg.attempts}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function Result() {
  const w = worked.value;
  const defaults = resultDefaults.peek();
  const [outcome, setOutcome] = useState<Outcome>(defaults.outcome);
  const [status, setStatus] = useState(defaults.responseStatus);
  const [memo, setMemo] = useState(defaults.memo);
  const [callbackAt, setCallbackAt] = useState('');
  const onCall = !!activeCall.value;
  const statuses = settings.value?.response_statuses ?? [];
  if (!w) return null;
  const tg = w.lease.target;
  return (
    <form
      id="calllist-result"
      class="calllist-result"
      onSubmit={(e) => {
        e.preventDefault();
        void recordResult({ outcome, responseStatus: status, memo, callbackAt: callbackAt ? fromLocalInput(callbackAt) : null });
      }}
    >
      <p class="calllist-target">
        <strong>{tg.name}</strong> {tg.phone_display || nationalPhone(tg.phone)}
        <span class="muted">
          {' '}
          {t('callList.onList', { list: w.list.name, line: labelOf(w.lease.line) })}
        </span>
      </p>
      {onCall && <p class="muted">{t('callList.afterCall')}</p>}
      <fieldset class="calllist-outcome">
        <legend>{t('callList.outcome')}</legend>
        {(['done', 'no_answer', 'callback'] as const).map((o) => (
          <label key={o}>
            <input type="radio" name="calllist-outcome" id={`calllist-outcome-${o}`} checked={outcome === o} onChange={() => setOutcome(o)} />
            {t(`callList.outcome.${o}`)}
          </label>
        ))}
        {outcome === 'callback' && (
          <input
            type="datetime-local"
            id="calllist-callback"
            aria-label={t('callList.callbackAt')}
            value={callbackAt}
            onInput={(e) => setCallbackAt(e.currentTarget.value)}
          />
        )}
      </fieldset>
      <label for="calllist-status">{t('memo.status')}</label>
      <select id="calllist-status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
        <option value="">{t('memo.statusNone')}</option>
        {statuses.map((s) => (
          <option key={s.id} value={s.id}>
            {labelOf(s)}
          </option>
        ))}
      </select>
      <label for="calllist-memo">{t('memo.text')}</label>
      <textarea id="calllist-memo" rows={3} value={memo} onInput={(e) => setMemo(e.currentTarget.value)} />
      <div class="dialog-buttons">
        <button type="submit" class="primary" id="calllist-record" disabled={listBusy.value || onCall}>
          {t('callList.record')}
        </button>
        <button type="button" id="calllist-release" disabled={listBusy.value || onCall} onClick={() => void releaseWorked()}>
          {t('callList.release')}
        </button>
        <button type="button" onClick={() => (callListOpen.value = false)}>
          {t('app.close')}
        </button>
      </div>
    </form>
  );
}

export function CallListDialog() {
  const open = callListOpen.value;
  const s = step.value;
  useEffect(() => {
    if (open) listError.value = null;
  }, [open]);
  return (
    <Dialog
      id="calllist-dialog"
      open={open}
      title={s === 'result' ? t('callList.resultTitle') : t('ops.callList')}
      onClose={() => (callListOpen.value = false)}
      class="calllist-dialog"
    >
      {open && s === 'lists' && <Lists />}
      {open && s === 'targets' && <Targets />}
      {open && s === 'result' && <Result key={worked.value?.lease.target.id} />}
      <p class="error-text line" id="calllist-error" role={listError.value ? 'alert' : undefined}>
        {listError.value ?? ''}
      </p>
    </Dialog>
  );
}
