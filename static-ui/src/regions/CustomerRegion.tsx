//! Region 3, 取引先情報: the phone field with 照会 and クリア, the call timer, the account and
//! contact found for the number (a chooser when several match; [+] registers a new one in Data
//! entry), their special notes (特記事項), and the conversation memo panel.

import type { Fields, Match } from '../api/types';
import { Icon } from '../components/Icon';
import { Region } from '../components/Region';
import { duration } from '../format';
import { labelOf, t } from '../i18n';
import {
  account,
  accountMatches,
  chooseAccount,
  chooseContact,
  clearCustomer,
  contact,
  contactMatches,
  lookUp,
  looking,
  lookupError,
  lookupResult,
  phoneInput,
} from '../state/customer';
import { showRecord } from '../state/detail';
import { objectDef } from '../state/settings';
import { openNew, requestEntryFocus } from '../state/entry';
import { callSeconds } from '../state/call';
import { MemoPanel } from './MemoPanel';
import { LazyTranscript } from '../components/LazyTranscript';

function newRecord(object: 'account' | 'contact'): void {
  const typed = phoneInput.value.trim();
  const prefill: Fields = !lookupResult.value && typed ? { phone: typed } : {};
  openNew(object, object === 'contact' ? { prefill, accountId: account.value?.record.id ?? null } : { prefill });
  requestEntryFocus();
}

function MatchBlock(props: {
  kind: 'account' | 'contact';
  matches: Match[];
  chosen: Match | null;
  onChoose: (id: string | null) => void;
}) {
  const { kind, matches, chosen, onChoose } = props;
  const label = t(kind === 'account' ? 'customer.account' : 'customer.contact');
  const id = `customer-${kind}`;
  const looked = !!lookupResult.value;
  return (
    <div class="cust-block" id={id} data-count={matches.length}>
      <div class="cust-block-head">
        <span class="cust-caption" id={`${id}-label`}>
          {label}
        </span>
        <button
          type="button"
          class="plus-button"
          id={`${id}-new`}
          aria-label={t(kind === 'account' ? 'customer.newAccount' : 'customer.newContact')}
          title={t(kind === 'account' ? 'customer.newAccount' : 'customer.newContact')}
          onClick={() => newRecord(kind)}
        >
          <Icon name="plus" size={12} />
        </button>
        {matches.length > 1 && <span class="cust-count">{t('customer.choose', { count: matches.length })}</span>}
      </div>
      {matches.length > 1 || (matches.length === 1 && !chosen) ? (
        <select
          id={`${id}-chooser`}
          aria-labelledby={`${id}-label`}
          value={chosen?.record.id ?? ''}
          onChange={(e) => onChoose(e.currentTarget.value || null)}
        >
          {kind === 'contact' && <option value="">{t('entry.selectNone')}</option>}
          {matches.map((m) => (
            <option key={m.record.id} value={m.record.id}>
              {m.record.title}
              {m.record.subtitle ? `（${m.record.subtitle}）` : ''}
            </option>
          ))}
        </select>
      ) : null}
      <div class="cust-value">
        {chosen ? (
          <>
            <button
              type="button"
              class="link-button cust-name"
              title={t('customer.show')}
              onClick={() => void showRecord(chosen.record.object, chosen.record.id)}
            >
              {chosen.record.title}
            </button>
            <span class="cust-sub">
              {[chosen.record.subtitle, Object.values(chosen.record.display)[0]].filter(Boolean).join(' · ')}
              {chosen.matched_by === 'contact' ? ` ${t('customer.viaContact')}` : ''}
            </span>
          </>
        ) : (
          <span class="muted">{looked ? t('customer.notFound') : t('customer.notLooked')}</span>
        )}
      </div>
    </div>
  );
}

/** A special note's label: its field's, in the page's language (the server sends the Japanese). */
function noteLabel(n: { field: string; label: string; from: string }): string {
  const def = objectDef(n.from)?.fields.find((f) => f.name === n.field);
  return def ? labelOf(def) : n.label;
}

function Notes() {
  const notes = [
    ...(account.value?.special_notes ?? []).map((n) => ({ ...n, from: 'account' })),
    ...(contact.value?.special_notes ?? []).map((n) => ({ ...n, from: 'contact' })),
  ];
  return (
    <div class="cust-block cust-notes" id="customer-notes">
      <div class="cust-block-head">
        <span class="cust-caption">{t('customer.notes')}</span>
      </div>
      {notes.length === 0 ? (
        <p class="muted">{lookupResult.value ? t('customer.noNotes') : t('customer.notLooked')}</p>
      ) : (
        <dl class="notes">
          {notes.map((n) => (
            <div key={`${n.from}-${n.field}`} class={`note note-${n.from}`}>
              <dt>
                {noteLabel(n)}
                <span class="note-from">（{t(n.from === 'account' ? 'customer.account' : 'customer.contact')}）</span>
              </dt>
              <dd class="pre">{n.value}</dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}

export function CustomerRegion() {
  const secs = callSeconds.value;
  return (
    <Region id="region-customer" no={3} title={t('region.customer')} busy={looking.value}>
      <div class="cust-top">
        <form
          class="phone-row"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            void lookUp();
          }}
        >
          <div class="phone-head">
            <label for="customer-phone" class="cust-caption">
              {t('customer.phone')}
            </label>
            <span class="call-time">
              <span class="cust-caption" id="call-timer-label">
                {t('customer.callTime')}
              </span>
              <span
                id="call-timer"
                class={`timer ${secs === null ? 'idle' : 'running'}`}
                role="timer"
                aria-labelledby="call-timer-label"
                aria-live="off"
              >
                {secs === null ? '--:--' : duration(secs)}
              </span>
            </span>
          </div>
          <div class="phone-controls">
            <input
              id="customer-phone"
              type="tel"
              autoComplete="off"
              placeholder={t('customer.phonePlaceholder')}
              value={phoneInput.value}
              aria-invalid={lookupError.value ? 'true' : undefined}
              aria-describedby="customer-phone-error"
              onInput={(e) => {
                phoneInput.value = e.currentTarget.value;
              }}
            />
            <button type="submit" id="customer-lookup" title={t('customer.lookUpHint')} disabled={looking.value}>
              <Icon name="search" /> {t('customer.lookUp')}
            </button>
            <button type="button" id="customer-clear" title={t('customer.clearHint')} onClick={clearCustomer}>
              {t('customer.clear')}
            </button>
          </div>
          <p id="customer-phone-error" class="error-text line" role={lookupError.value ? 'alert' : undefined}>
            {lookupError.value ?? (looking.value ? t('customer.looking') : '')}
          </p>
        </form>
        <div class="cust-scroll">
          <MatchBlock kind="account" matches={accountMatches.value} chosen={account.value} onChoose={chooseAccount} />
          <MatchBlock kind="contact" matches={contactMatches.value} chosen={contact.value} onChoose={chooseContact} />
          <Notes />
        </div>
      </div>
      <LazyTranscript />
      <MemoPanel />
    </Region>
  );
}
