//! Region 6, データ検索: search the objects configured for search, page through the hits, and
//! read a record in detail — with previous / next through the list it came from (these results
//! or a history tab), edit (in Data entry, with its version) and copy (a new record prefilled).

import type { CallSummary } from '../api/types';
import { DialLink } from '../components/DialLink';
import { Icon } from '../components/Icon';
import { Region } from '../components/Region';
import { RecordView } from '../components/RecordView';
import { Recording } from '../components/Recording';
import { dateTime, nationalPhone } from '../format';
import { hasMessage, labelOf, t } from '../i18n';
import {
  browseIndex,
  browseList,
  canNext,
  canPrev,
  closeDetail,
  currentItem,
  detailError,
  detailLoading,
  detailRecord,
  showDetail,
  step,
} from '../state/detail';
import type { BrowseItem } from '../state/detail';
import { openRecord, requestEntryFocus } from '../state/entry';
import {
  chooseObject,
  hasNext,
  hasPrev,
  hits,
  nextPage,
  page,
  prevPage,
  query,
  runSearch,
  searchError,
  searchObject,
  searched,
  searching,
} from '../state/search';
import { fieldDef, objectLabel, responseStatusLabel, settings } from '../state/settings';
import { rememberTitle } from '../state/titles';
import { callKindLabel, talkTime } from './callKind';
import { LazyCallTranscript } from '../components/LazyTranscript';
import { ExternalMark } from './HistoryRegion';

/** A call's end reason in words (the code itself when the page has no words for it). */
function endReason(code: string): string {
  const key = `endReason.${code}`;
  return hasMessage(key) ? t(key) : code;
}

function CallView({ call }: { call: CallSummary }) {
  const rows: [string, string][] = [
    [t('history.when'), dateTime(call.started_at)],
    [t('history.direction'), callKindLabel(call)],
    [t('detail.line'), nationalPhone(call.line)],
    [t('history.operator'), call.operator_name ?? ''],
    [t('history.duration'), talkTime(call)],
    [t('history.status'), responseStatusLabel(call.response_status)],
    [t('detail.endReason'), endReason(call.end_reason ?? call.status)],
  ];
  return (
    <dl class="record-view">
      {rows.slice(0, 2).map(([k, v]) => (
        <div class="rv-row" key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
      <div class="rv-row">
        <dt>{t('detail.customer')}</dt>
        <dd>
          {call.customer ? (
            <DialLink number={call.customer} shown={call.customer_display ?? nationalPhone(call.customer)} id="detail-call-dial" />
          ) : (
            (call.customer_display ?? '')
          )}
        </dd>
      </div>
      {call.external && (
        <div class="rv-row">
          <dt>{t('detail.external')}</dt>
          <dd id="detail-call-external">
            <ExternalMark external={call.external} />
          </dd>
        </div>
      )}
      {rows.slice(2).map(([k, v]) => (
        <div class="rv-row" key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
      <div class="rv-row">
        <dt>{t('history.memo')}</dt>
        <dd class="pre">{call.memo ?? ''}</dd>
      </div>
      {call.ended_at && <LazyCallTranscript sid={call.sid} />}
      {(call.recording_url || call.recording_deleted_at) && (
        <div class="rv-row">
          <dt>{t('history.recording')}</dt>
          <dd id="detail-call-recording">
            <Recording call={call} inline />
          </dd>
        </div>
      )}
    </dl>
  );
}

function Detail() {
  const item = currentItem.value;
  const record = detailRecord.value;
  const list = browseList.value ?? [];
  return (
    <div class="detail" id="search-detail">
      <div class="detail-toolbar" role="toolbar" aria-label={t('region.search')}>
        <button type="button" id="detail-back" class="small" onClick={closeDetail}>
          <Icon name="back" /> {t('detail.back')}
        </button>
        <span class="toolbar-spacer" />
        <button type="button" id="detail-prev" class="small" disabled={!canPrev.value} onClick={() => void step(-1)}>
          <Icon name="prev" /> {t('detail.prev')}
        </button>
        <span class="detail-pos" id="detail-position">
          {t('detail.position', { index: browseIndex.value + 1, count: list.length })}
        </span>
        <button type="button" id="detail-next" class="small" disabled={!canNext.value} onClick={() => void step(1)}>
          {t('detail.next')} <Icon name="next" />
        </button>
        <button
          type="button"
          id="detail-edit"
          class="small"
          disabled={!record}
          onClick={() => {
            if (record) openRecord('edit', record, requestEntryFocus);
          }}
        >
          <Icon name="edit" /> {t('detail.edit')}
        </button>
        <button
          type="button"
          id="detail-copy"
          class="small"
          disabled={!record}
          onClick={() => {
            if (record) openRecord('copy', record, requestEntryFocus);
          }}
        >
          <Icon name="copy" /> {t('detail.copy')}
        </button>
      </div>
      <div class="detail-body" aria-busy={detailLoading.value ? 'true' : 'false'}>
        {item?.kind === 'call' ? (
          <>
            <h3 class="detail-title">
              {t('detail.call')} {dateTime(item.call.started_at)}
            </h3>
            <CallView call={item.call} />
          </>
        ) : detailError.value ? (
          <p class="error-text" role="alert">
            {detailError.value}
          </p>
        ) : record ? (
          <>
            <h3 class="detail-title" id="detail-title">
              <span class="detail-object">{objectLabel(record.object)}</span> {record.title}
            </h3>
            <RecordView record={record} />
          </>
        ) : (
          <p class="muted">{t('app.loading')}</p>
        )}
      </div>
    </div>
  );
}

function Results() {
  const object = searchObject.value;
  const list: BrowseItem[] = hits.value.map((h) => ({ kind: 'record', object: h.object, id: h.id }));
  return (
    <div class="search-results" id="search-results">
      {searchError.value ? (
        <p class="error-text results-note" role="alert" id="search-error">
          {searchError.value}
        </p>
      ) : !searched.value ? (
        <p class="muted results-note">{t('detail.empty')}</p>
      ) : hits.value.length === 0 ? (
        <p class="muted results-note">{t('search.noResults')}</p>
      ) : (
        <ul class="hit-list" aria-label={t('search.results', { count: hits.value.length })}>
          {hits.value.map((h, i) => {
            const f = object ? fieldDef(object, h.matched_field) : undefined;
            return (
              <li key={h.id} class="hit-row">
                <button
                  type="button"
                  class="hit"
                  onClick={() => {
                    rememberTitle(h.object, h.id, h.title);
                    void showDetail(list, i);
                  }}
                >
                  <span class="hit-title">{h.title}</span>
                  <span class="hit-sub">{h.subtitle ?? ''}</span>
                  <span class="hit-match">{f ? t('search.matched', { field: labelOf(f) }) : ''}</span>
                </button>
                {h.phone && <DialLink number={h.phone} shown={h.phone_display ?? nationalPhone(h.phone)} id={`hit-dial-${i}`} />}
              </li>
            );
          })}
        </ul>
      )}
      <div class="pager">
        <button type="button" class="small" id="search-prev-page" disabled={!hasPrev.value || searching.value} onClick={() => void prevPage()}>
          <Icon name="prev" /> {t('search.prevPage')}
        </button>
        <span class="pager-pos">{searched.value ? t('search.page', { page: page.value + 1 }) : ''}</span>
        <button type="button" class="small" id="search-next-page" disabled={!hasNext.value || searching.value} onClick={() => void nextPage()}>
          {t('search.nextPage')} <Icon name="next" />
        </button>
      </div>
    </div>
  );
}

export function SearchRegion() {
  const objects = settings.value?.search ?? [];
  return (
    <Region id="region-search" no={6} title={t('region.search')} busy={searching.value || detailLoading.value}>
      <form
        class="search-form"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          closeDetail();
          void runSearch();
        }}
      >
        <label for="search-object" class="sr-only">
          {t('search.object')}
        </label>
        <select
          id="search-object"
          value={searchObject.value ?? ''}
          onChange={(e) => chooseObject(e.currentTarget.value)}
        >
          {objects.map((o) => (
            <option key={o.object} value={o.object}>
              {objectLabel(o.object)}
            </option>
          ))}
        </select>
        <label for="search-query" class="sr-only">
          {t('search.query')}
        </label>
        <input
          id="search-query"
          type="search"
          value={query.value}
          placeholder={t('search.query')}
          title={t('search.hint')}
          onInput={(e) => (query.value = e.currentTarget.value)}
        />
        <button type="submit" id="search-run" disabled={searching.value}>
          <Icon name="search" /> {t('search.run')}
        </button>
      </form>
      {currentItem.value ? <Detail /> : <Results />}
    </Region>
  );
}
