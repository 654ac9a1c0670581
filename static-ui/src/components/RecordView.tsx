//! A record's fields for reading (the detail view of Data search).

import type { CrmRecord } from '../api/types';
import { dateTime } from '../format';
import { labelOf, t } from '../i18n';
import { objectDef } from '../state/settings';
import { titleOf } from '../state/titles';
import { DialLink } from './DialLink';
import { displayValue } from './values';
import { userName } from '../state/userNames';

export function RecordView({ record }: { record: CrmRecord }) {
  const def = objectDef(record.object);
  return (
    <dl class="record-view">
      {record.account_id && record.object !== 'account' && (
        <div class="rv-row">
          <dt>{t('entry.linkedAccount')}</dt>
          <dd>{titleOf('account', record.account_id) ?? '…'}</dd>
        </div>
      )}
      {record.contact_id && (
        <div class="rv-row">
          <dt>{t('entry.linkedContact')}</dt>
          <dd>{titleOf('contact', record.contact_id) ?? '…'}</dd>
        </div>
      )}
      {(def?.fields ?? []).map((f) => (
        <div class="rv-row" key={f.name} data-field={f.name}>
          <dt>{labelOf(f)}</dt>
          <dd class={f.type === 'long_text' ? 'pre' : ''}>
            {f.type === 'phone' && record.fields[f.name] ? (
              <DialLink number={String(record.fields[f.name])} shown={displayValue(f, record.fields[f.name], record)} />
            ) : (
              displayValue(f, record.fields[f.name], record)
            )}
          </dd>
        </div>
      ))}
      <div class="rv-row rv-meta">
        <dt>{t('detail.updatedAt')}</dt>
        <dd>
          {dateTime(record.updated_at)} {record.updated_by ? `(${userName(record.updated_by)})` : ''} · v{record.version}
        </dd>
      </div>
    </dl>
  );
}
