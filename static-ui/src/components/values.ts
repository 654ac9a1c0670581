//! How a stored field value reads in lists and the detail view.

import type { CrmRecord, FieldDef, FieldValue } from '../api/types';
import { dateTime, nationalPhone } from '../format';
import { labelOf } from '../i18n';
import { objectDef } from '../state/settings';
import { titleOf } from '../state/titles';

/** A field value for reading (select labels, national phone numbers, local dates). */
export function displayValue(def: FieldDef, v: FieldValue | undefined, record?: CrmRecord): string {
  if (v === undefined || v === null || v === '') return '';
  switch (def.type) {
    case 'select':
      return def.options.find((o) => o.value === v)?.label ?? String(v);
    case 'checkbox':
      return v === true ? '✓' : '—';
    case 'datetime':
      return dateTime(String(v));
    case 'phone':
      return record?.display[def.name] ?? nationalPhone(String(v));
    case 'number':
      return typeof v === 'number' ? v.toLocaleString('ja-JP') : String(v);
    case 'reference':
      return titleOf(def.object, String(v)) ?? String(v);
    default:
      return String(v);
  }
}

/** A record's subtitle for lists, with select labels instead of raw values. */
export function subtitleOf(record: CrmRecord): string {
  const def = objectDef(record.object);
  if (!def?.subtitle_field) return record.subtitle ?? '';
  const f = def.fields.find((x) => x.name === def.subtitle_field);
  return f ? displayValue(f, record.fields[f.name], record) : (record.subtitle ?? '');
}

/** A field's label in the current language. */
export function fieldLabel(def: FieldDef): string {
  return labelOf(def);
}
