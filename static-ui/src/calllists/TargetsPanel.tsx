//! A list's targets, all of them in file order or those in one state, a page at a time: what an
//! admin checks after an import (names, numbers, the CRM link) and while the list is worked.

import { useEffect, useState } from 'preact/hooks';
import { errorText } from '../api/errors';
import { shortDateTime } from '../format';
import { t } from '../i18n';
import { responseStatusLabel } from '../state/settings';
import type { CallList, Target, TargetState } from './api';
import { TARGET_STATES, targets } from './api';
import { panel } from './lists';

export function TargetsPanel({ list }: { list: CallList }) {
  const [state, setState] = useState<TargetState | ''>('');
  const [items, setItems] = useState<Target[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function load(from: string | null, filter: TargetState | '') {
    setLoading(true);
    setError(null);
    try {
      const page = await targets(list.id, filter, from ?? undefined);
      setItems((prev) => (from ? [...prev, ...page.items] : page.items));
      setCursor(page.cursor ?? null);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setLoading(false);
    }
  }

  useEffect(() => {
    setItems([]);
    void load(null, state);
  }, [list.id, state]);

  const count = state ? list.counts[state] : list.counts.total;
  return (
    <section class="cl-panel" id="cl-targets" aria-labelledby="cl-targets-title">
      <div class="cl-panel-head">
        <h2 id="cl-targets-title">{t('lists.targetsTitle', { name: list.name })}</h2>
        <label class="cl-filter">
          {t('lists.filter')}
          <select id="cl-targets-state" value={state} onChange={(e) => setState(e.currentTarget.value as TargetState | '')}>
            <option value="">{t('lists.filterAll', { n: list.counts.total.toLocaleString() })}</option>
            {TARGET_STATES.map((s) => (
              <option key={s} value={s}>
                {t(`callList.state.${s}`)}（{list.counts[s].toLocaleString()}）
              </option>
            ))}
          </select>
        </label>
        <span class="muted">{t('lists.shown', { shown: items.length.toLocaleString(), count: count.toLocaleString() })}</span>
        <span class="info-spacer" />
        <button type="button" class="small" onClick={() => (panel.value = null)}>
          {t('app.close')}
        </button>
      </div>
      <div class="cl-targets-wrap" aria-busy={loading}>
        <table class="cl-table" id="cl-targets-table">
          <thead>
            <tr>
              <th scope="col" class="num" title={t('lists.t.lineHint')}>
                {t('lists.t.line')}
              </th>
              <th scope="col">{t('lists.t.name')}</th>
              <th scope="col">{t('lists.t.phone')}</th>
              <th scope="col">{t('lists.t.account')}</th>
              <th scope="col">{t('lists.t.state')}</th>
              <th scope="col" class="num">
                {t('lists.t.attempts')}
              </th>
              <th scope="col">{t('lists.t.last')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((x) => (
              <tr key={x.id}>
                <td class="num">{x.source_line.toLocaleString()}</td>
                <td>
                  {x.name}
                  {x.contact_id || x.account_id ? <span class="cl-linked">{t('lists.t.linked')}</span> : null}
                </td>
                <td class="nowrap">{x.phone_display}</td>
                <td>{[x.account_name, x.contact_name].filter(Boolean).join(' / ')}</td>
                <td class="nowrap">
                  <span class={`cl-state cl-state-${x.state}`}>{t(`callList.state.${x.state}`)}</span>
                  {x.state === 'callback' && x.callback_at && <span class="muted"> {shortDateTime(x.callback_at)}</span>}
                  {x.state === 'in_progress' && x.lease && <span class="muted"> {x.lease.operator_name}</span>}
                </td>
                <td class="num">{x.attempts}</td>
                <td>
                  {x.last_result
                    ? `${shortDateTime(x.last_result.at)} ${x.last_result.operator_name} ${responseStatusLabel(x.last_result.response_status)}`
                    : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {!loading && items.length === 0 && !error && <p class="muted cl-empty">{t('lists.noTargets')}</p>}
      </div>
      {error && (
        <p class="error-text" role="alert">
          {error}
        </p>
      )}
      {cursor && (
        <button type="button" class="small cl-more" disabled={loading} onClick={() => void load(cursor, state)}>
          {t('app.more')}
        </button>
      )}
    </section>
  );
}
