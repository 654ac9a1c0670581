//! The objects section: each object's names, labels, title fields and its fields with their
//! types (choices for select fields, a length for text, the referenced object for references).

import type { Choice, FieldDef, FieldTypeName, ObjectDef } from '../api/types';
import type { MessageKey } from '../i18n';
import { t } from '../i18n';
import { RowsEditor, SelectCell, TextCell } from './RowsEditor';

const TYPES: FieldTypeName[] = ['text', 'long_text', 'number', 'date', 'datetime', 'select', 'phone', 'email', 'checkbox', 'reference'];

/** A field with another type: keeps name, labels and required; adds what the type needs. */
function withType(f: FieldDef, type: FieldTypeName): FieldDef {
  const base = { name: f.name, label: f.label, ...(f.label_en ? { label_en: f.label_en } : {}), ...(f.required ? { required: true } : {}) };
  switch (type) {
    case 'select':
      return { ...base, type, options: f.type === 'select' ? f.options : [{ value: 'a', label: 'A' }] };
    case 'reference':
      return { ...base, type, object: f.type === 'reference' ? f.object : 'account' };
    case 'text':
      return { ...base, type, ...(f.type === 'text' && f.max_length ? { max_length: f.max_length } : {}) };
    default:
      return { ...base, type };
  }
}

function optionsText(options: Choice[]): string {
  return options.map((o) => `${o.value}:${o.label}`).join('\n');
}

function parseOptions(text: string): Choice[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const i = l.indexOf(':');
      return i < 0 ? { value: l, label: l } : { value: l.slice(0, i).trim(), label: l.slice(i + 1).trim() };
    });
}

function TypeExtra({ f, set, label }: { f: FieldDef; set: (f: FieldDef) => void; label: string }) {
  if (f.type === 'select') {
    return (
      <textarea
        rows={Math.min(5, Math.max(2, f.options.length))}
        aria-label={`${t('admin.col.options')} ${label}`}
        title={t('admin.col.options')}
        value={optionsText(f.options)}
        onChange={(e) => set({ ...f, options: parseOptions(e.currentTarget.value) })}
      />
    );
  }
  if (f.type === 'text') {
    return (
      <input
        type="number"
        min={1}
        max={2000}
        aria-label={`${t('admin.col.maxLength')} ${label}`}
        placeholder="255"
        title={t('admin.col.maxLength')}
        value={f.max_length ?? ''}
        onInput={(e) => {
          const v = e.currentTarget.valueAsNumber;
          const next: FieldDef = { ...f };
          if (Number.isFinite(v)) next.max_length = v;
          else delete next.max_length;
          set(next);
        }}
      />
    );
  }
  if (f.type === 'reference') {
    return (
      <SelectCell
        label={`${t('admin.col.refObject')} ${label}`}
        value={f.object}
        onChange={(v) => set({ ...f, object: v })}
        options={[
          { value: 'account', label: 'account' },
          { value: 'contact', label: 'contact' },
        ]}
      />
    );
  }
  return null;
}

function ObjectCard({ obj, set, remove }: { obj: ObjectDef; set: (o: ObjectDef) => void; remove: () => void }) {
  const fieldOptions = obj.fields.map((f) => ({ value: f.name, label: `${f.label} (${f.name})` }));
  const id = `object-${obj.name || 'new'}`;
  return (
    <fieldset class="object-card" id={id}>
      <legend>
        {obj.label || obj.name} {obj.builtin && <span class="badge">{t('admin.builtin')}</span>}
      </legend>
      <div class="object-props">
        <label>
          {t('admin.col.name')}
          <input type="text" class="mono" value={obj.name} readOnly={obj.builtin} onInput={(e) => set({ ...obj, name: e.currentTarget.value })} />
        </label>
        <label>
          {t('admin.col.label')}
          <input type="text" value={obj.label} onInput={(e) => set({ ...obj, label: e.currentTarget.value })} />
        </label>
        <label>
          {t('admin.col.label_en')}
          <input
            type="text"
            value={obj.label_en ?? ''}
            onInput={(e) => {
              const v = e.currentTarget.value;
              const next: ObjectDef = { ...obj };
              if (v) next.label_en = v;
              else delete next.label_en;
              set(next);
            }}
          />
        </label>
        <label>
          {t('admin.col.titleField')}
          <SelectCell label={t('admin.col.titleField')} value={obj.title_field} onChange={(v) => set({ ...obj, title_field: v })} options={fieldOptions} />
        </label>
        <label>
          {t('admin.col.subtitleField')}
          <SelectCell
            label={t('admin.col.subtitleField')}
            value={obj.subtitle_field ?? ''}
            allowEmpty={t('app.none')}
            onChange={(v) => {
              const next: ObjectDef = { ...obj };
              if (v) next.subtitle_field = v;
              else delete next.subtitle_field;
              set(next);
            }}
            options={fieldOptions}
          />
        </label>
        {!obj.builtin && (
          <button type="button" class="danger small" onClick={remove}>
            {t('admin.removeObject')}
          </button>
        )}
      </div>
      <RowsEditor<FieldDef>
        id={`${id}-fields`}
        rows={obj.fields}
        onChange={(fields) => set({ ...obj, fields })}
        addLabel={t('admin.addField')}
        newRow={() => ({ name: '', label: '', type: 'text' })}
        columns={[
          { key: 'name', label: t('admin.col.name'), render: (f, s, l) => <TextCell mono label={l} value={f.name} onInput={(v) => s({ ...f, name: v })} /> },
          { key: 'label', label: t('admin.col.label'), render: (f, s, l) => <TextCell label={l} value={f.label} onInput={(v) => s({ ...f, label: v })} /> },
          {
            key: 'label_en',
            label: t('admin.col.label_en'),
            render: (f, s, l) => (
              <TextCell
                label={l}
                value={f.label_en ?? ''}
                onInput={(v) => {
                  const next = { ...f };
                  if (v) next.label_en = v;
                  else delete next.label_en;
                  s(next);
                }}
              />
            ),
          },
          {
            key: 'type',
            label: t('admin.col.type'),
            render: (f, s, l) => (
              <SelectCell
                label={l}
                value={f.type}
                onChange={(v) => s(withType(f, v as FieldTypeName))}
                options={TYPES.map((ty) => ({ value: ty, label: t(`type.${ty}` as MessageKey) }))}
              />
            ),
          },
          {
            key: 'required',
            label: t('admin.col.required'),
            class: 'center',
            render: (f, s, l) => (
              <input type="checkbox" aria-label={l} checked={!!f.required} onChange={(e) => s({ ...f, required: e.currentTarget.checked })} />
            ),
          },
          { key: 'extra', label: '', render: (f, s, l) => <TypeExtra f={f} set={s} label={l} /> },
        ]}
      />
    </fieldset>
  );
}

export function ObjectsEditor({ value, set }: { value: ObjectDef[]; set: (v: ObjectDef[]) => void }) {
  return (
    <div class="objects-editor">
      {value.map((o, i) => (
        <ObjectCard
          key={i}
          obj={o}
          set={(next) => set(value.map((x, j) => (j === i ? next : x)))}
          remove={() => set(value.filter((_, j) => j !== i))}
        />
      ))}
      <button
        type="button"
        class="small add-row"
        onClick={() =>
          set([...value, { name: '', label: '', fields: [{ name: 'name', label: t('admin.defaultNameLabel'), type: 'text', required: true }], title_field: 'name' }])
        }
      >
        ＋ {t('admin.addObject')}
      </button>
    </div>
  );
}
