//! An editable list of rows (lines, statuses, scripts…): one input per column, and buttons to
//! add, remove and reorder rows. Every input is labelled with its column and row number.

import type { ComponentChildren } from 'preact';
import { t } from '../i18n';

export interface Column<T> {
  key: string;
  label: string;
  /** Renders the cell's input; `label` is the accessible name to give it. */
  render: (row: T, set: (next: T) => void, label: string) => ComponentChildren;
  class?: string;
}

interface Props<T> {
  id: string;
  rows: T[];
  onChange: (rows: T[]) => void;
  columns: Column<T>[];
  newRow: () => T;
  addLabel?: string;
}

export function RowsEditor<T>({ id, rows, onChange, columns, newRow, addLabel }: Props<T>) {
  const set = (i: number, next: T) => onChange(rows.map((r, j) => (j === i ? next : r)));
  const move = (i: number, d: -1 | 1) => {
    const j = i + d;
    if (j < 0 || j >= rows.length) return;
    const next = rows.slice();
    const a = next[i];
    next[i] = next[j];
    next[j] = a;
    onChange(next);
  };
  return (
    <div class="rows-editor" id={id}>
      <table class="rows-table">
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" class={c.class}>
                {c.label}
              </th>
            ))}
            <th scope="col">
              <span class="sr-only">{t('admin.remove')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={i} data-row={i}>
              {columns.map((c) => (
                <td key={c.key} class={c.class}>
                  {c.render(row, (next) => set(i, next), `${c.label} ${i + 1}`)}
                </td>
              ))}
              <td class="row-actions">
                <button type="button" class="icon-button" aria-label={`${t('admin.up')} ${i + 1}`} title={t('admin.up')} disabled={i === 0} onClick={() => move(i, -1)}>
                  ↑
                </button>
                <button
                  type="button"
                  class="icon-button"
                  aria-label={`${t('admin.down')} ${i + 1}`}
                  title={t('admin.down')}
                  disabled={i === rows.length - 1}
                  onClick={() => move(i, 1)}
                >
                  ↓
                </button>
                <button
                  type="button"
                  class="icon-button danger"
                  aria-label={`${t('admin.remove')} ${i + 1}`}
                  title={t('admin.remove')}
                  onClick={() => onChange(rows.filter((_, j) => j !== i))}
                >
                  ×
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" class="small add-row" onClick={() => onChange([...rows, newRow()])}>
        ＋ {addLabel ?? t('admin.add')}
      </button>
    </div>
  );
}

/** A text input cell. */
export function TextCell(props: { value: string; onInput: (v: string) => void; label: string; readOnly?: boolean; mono?: boolean }) {
  return (
    <input
      type="text"
      class={props.mono ? 'mono' : ''}
      aria-label={props.label}
      value={props.value}
      readOnly={props.readOnly}
      onInput={(e) => props.onInput(e.currentTarget.value)}
    />
  );
}

/** A select cell. */
export function SelectCell(props: {
  value: string;
  onChange: (v: string) => void;
  label: string;
  options: { value: string; label: string }[];
  allowEmpty?: string;
}) {
  return (
    <select aria-label={props.label} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
      {props.allowEmpty !== undefined && <option value="">{props.allowEmpty}</option>}
      {!props.options.some((o) => o.value === props.value) && props.value && <option value={props.value}>{props.value}</option>}
      {props.options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  );
}
