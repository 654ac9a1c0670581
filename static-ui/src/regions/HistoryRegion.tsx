//! Region 4, 対応履歴: the calls of the looked-up number, and one tab per object configured in
//! settings.history_tabs with [新規]. Clicking a row shows it in Data search, where previous /
//! next step through this tab's list. A call whose caller left a voicemail or asked to be called
//! back reads 留守番電話 / 折り返し依頼, with the task's state where the response status goes and
//! a voicemail's transcript where the memo goes.

import { useEffect, useState } from 'preact/hooks';
import type { HistoryCall } from '../api/history';
import type { CallSummary, CrmRecord } from '../api/types';
import { DialLink } from '../components/DialLink';
import { Icon } from '../components/Icon';
import { Recording, RecordingBar } from '../components/Recording';
import { Region } from '../components/Region';
import { Tabs } from '../components/Tabs';
import { dateTime, excerpt, shortDateTime } from '../format';
import { t } from '../i18n';
import { subject } from '../state/customer';
import type { BrowseItem } from '../state/detail';
import { browseIndex, browseList, showDetail } from '../state/detail';
import { openNew, requestEntryFocus } from '../state/entry';
import { CALLS_TAB, activeTab, historyWord, loadTab, searchCalls, tabs } from '../state/history';
import { objectDef, objectLabel, responseStatusLabel, settings } from '../state/settings';
import { userName } from '../state/userNames';
import { subtitleOf } from '../components/values';
import { callKindLabel, talkTime } from './callKind';

function isShown(item: BrowseItem): boolean {
  const list = browseList.value;
  const cur = list?.[browseIndex.value];
  if (!cur) return false;
  if (cur.kind === 'call' && item.kind === 'call') return cur.call.sid === item.call.sid;
  if (cur.kind === 'record' && item.kind === 'record') return cur.id === item.id;
  return false;
}

/** 外部転送 → the outside number, with who handed it over and how in its title. */
export function ExternalMark({ external }: { external: NonNullable<CallSummary['external']> }) {
  const title = t('history.externalTitle', {
    by: userName(external.by),
    to: external.to_display,
    mode: t(`history.externalMode.${external.mode === 'cold' ? 'cold' : 'warm'}`),
  });
  return (
    <span class="external-mark" title={title}>
      {t('history.external', { to: external.to_display })}
    </span>
  );
}

function CallRows({ items }: { items: HistoryCall[] }) {
  const list: BrowseItem[] = items.map((call) => ({ kind: 'call', call }));
  return (
    <table class="list-table calls-table">
      <thead>
        <tr>
          <th scope="col">{t('history.when')}</th>
          <th scope="col">{t('history.direction')}</th>
          <th scope="col">{t('history.operator')}</th>
          <th scope="col">{t('history.duration')}</th>
          <th scope="col">{t('history.status')}</th>
          <th scope="col">{t('history.memo')}</th>
          <th scope="col">{t('history.recording')}</th>
        </tr>
      </thead>
      <tbody>
        {items.map((c, i) => {
          const item = list[i];
          // A search's hit in the live transcript first; no memo on a call nobody answered: a
          // voicemail's transcript stands in for it.
          const hit = c.transcript_hit;
          const note = hit ? `${t(`history.said.${hit.speaker}`)}${hit.text}` : c.memo || c.task?.transcript || undefined;
          return (
            <tr
              key={c.sid}
              class={`clickable ${isShown(item) ? 'current' : ''}`}
              tabIndex={0}
              aria-current={isShown(item) ? 'true' : undefined}
              onClick={() => void showDetail(list, i)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  void showDetail(list, i);
                }
              }}
            >
              <td class="nowrap num-left" title={dateTime(c.started_at)}>
                {shortDateTime(c.started_at)}
              </td>
              <td class={`nowrap dir-${c.direction}`}>
                <Icon name={c.direction} size={12} /> {callKindLabel(c)}
                {c.customer && <DialLink number={c.customer} shown={c.customer_display ?? c.customer} compact />}
              </td>
              <td class="nowrap">
                {c.operator_name ?? ''}
                {c.external && <ExternalMark external={c.external} />}
              </td>
              <td class="nowrap num">{talkTime(c)}</td>
              {/* A task the caller left: its state (未対応, …が対応中, …が完了) in place of a response status. */}
              <td class="nowrap">
                {c.task
                  ? t(`tasks.state.${c.task.state}`, { name: c.task.done_by_name ?? c.task.taken_by_name ?? '' })
                  : responseStatusLabel(c.response_status)}
              </td>
              <td class="memo-excerpt" title={note}>
                {excerpt(note, 60)}
              </td>
              <td class="nowrap recording-cell">
                <Recording call={c} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function RecordRows({ object, items }: { object: string; items: CrmRecord[] }) {
  const list: BrowseItem[] = items.map((r) => ({ kind: 'record', object: r.object, id: r.id }));
  const def = objectDef(object);
  const dateField = def?.fields.find((f) => f.type === 'datetime');
  return (
    <table class="list-table records-table">
      <thead>
        <tr>
          <th scope="col">{t('history.when')}</th>
          <th scope="col">{t('history.title')}</th>
          <th scope="col" class="sub-col" />
        </tr>
      </thead>
      <tbody>
        {items.map((r, i) => {
          const item = list[i];
          const when = dateField ? (r.fields[dateField.name] as string | undefined) : undefined;
          return (
            <tr
              key={r.id}
              class={`clickable ${isShown(item) ? 'current' : ''}`}
              tabIndex={0}
              aria-current={isShown(item) ? 'true' : undefined}
              onClick={() => void showDetail(list, i)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  void showDetail(list, i);
                }
              }}
            >
              <td class="nowrap">{dateTime(when ?? r.created_at)}</td>
              <td class="rec-title">{r.title}</td>
              <td class="nowrap muted">{subtitleOf(r)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Searches the call tab by a word of the memo or the live transcript. */
function WordSearch() {
  const [typed, setTyped] = useState(historyWord.peek());
  // A new customer (or 「すべて表示」) clears the search: the box follows.
  useEffect(() => setTyped(historyWord.value), [historyWord.value]);
  return (
    <form
      class="history-search"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        searchCalls(typed);
      }}
    >
      <input
        type="search"
        name="q"
        id="history-word"
        maxLength={50}
        placeholder={t('history.wordPlaceholder')}
        aria-label={t('history.wordPlaceholder')}
        value={typed}
        onInput={(e) => setTyped(e.currentTarget.value)}
      />
      <button type="submit" class="small" id="history-word-go">
        <Icon name="search" size={12} /> {t('history.wordGo')}
      </button>
      {historyWord.value && (
        <button type="button" class="small" id="history-word-clear" onClick={() => searchCalls('')}>
          {t('history.wordClear')}
        </button>
      )}
    </form>
  );
}

export function HistoryRegion() {
  const objects = (settings.value?.history_tabs ?? []).filter((o) => objectDef(o));
  const specs = [{ id: CALLS_TAB, label: t('history.calls') }, ...objects.map((o) => ({ id: o, label: objectLabel(o) }))];
  const active = specs.some((s) => s.id === activeTab.value) ? activeTab.value : CALLS_TAB;
  const data = tabs.value[active];
  const s = subject.value;
  const hasSubject = !!(s.phone || s.accountId || s.contactId);
  const isRecords = active !== CALLS_TAB;
  return (
    <Region
      id="region-history"
      no={4}
      title={t('region.history')}
      busy={data?.loading ?? false}
      actions={
        isRecords ? (
          <button
            type="button"
            id="history-new"
            title={t('history.newHint', { object: objectLabel(active) })}
            onClick={() => {
              openNew(active, { accountId: s.accountId, contactId: s.contactId });
              requestEntryFocus();
            }}
          >
            <Icon name="plus" size={12} /> {t('history.new')}
          </button>
        ) : undefined
      }
    >
      <Tabs idPrefix="history" tabs={specs} active={active} onSelect={(id) => (activeTab.value = id)} label={t('region.history')}>
        {!isRecords && hasSubject && <WordSearch />}
        {!isRecords && hasSubject && <RecordingBar />}
        {!hasSubject ? (
          <p class="muted empty-note">{t('history.needLookup')}</p>
        ) : !data || (data.loading && data.items.length === 0) ? (
          <p class="muted empty-note">{t('history.loading')}</p>
        ) : data.error ? (
          <p class="error-text empty-note" role="alert">
            {data.error}
          </p>
        ) : data.items.length === 0 && !(data.kind === 'calls' && historyWord.value) ? (
          <p class="muted empty-note">{t('history.empty')}</p>
        ) : (
          <>
            {data.kind === 'calls' && historyWord.value && data.items.length === 0 && (
              <p class="muted empty-note">{t('history.wordNone', { word: historyWord.value })}</p>
            )}
            {data.kind === 'calls' ? (
              data.items.length > 0 && <CallRows items={data.items} />
            ) : (
              <RecordRows object={active} items={data.items} />
            )}
            {data.cursor && (
              <button type="button" class="more-button" disabled={data.loading} onClick={() => void loadTab(active, true)}>
                {t('app.more')}
              </button>
            )}
          </>
        )}
      </Tabs>
    </Region>
  );
}
