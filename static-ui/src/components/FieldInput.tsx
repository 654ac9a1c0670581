//! One input per field type of an object definition, with its label, a required mark and the
//! validation message on the label's line (so a message never moves the form).

import { useState } from 'preact/hooks';
import { search } from '../api/crm';
import type { FieldDef, Hit } from '../api/types';
import { labelOf, t } from '../i18n';
import type { FieldMessage, InputValue } from '../state/entry';
import { objectLabel } from '../state/settings';
import { rememberTitle, titleOf } from '../state/titles';

interface Props {
  def: FieldDef;
  value: InputValue | undefined;
  onChange: (v: InputValue) => void;
  error?: FieldMessage | undefined;
  idPrefix: string;
}

export function FieldInput({ def, value, onChange, error, idPrefix }: Props) {
  const id = `${idPrefix}-${def.name}`;
  const errId = `${id}-error`;
  const str = typeof value === 'string' ? value : '';
  const common = {
    id,
    name: def.name,
    'aria-invalid': error ? ('true' as const) : undefined,
    'aria-describedby': error ? errId : undefined,
    'aria-required': def.required ? ('true' as const) : undefined,
  };
  const onText = (e: Event) => onChange((e.currentTarget as HTMLInputElement).value);
  let input;
  switch (def.type) {
    case 'long_text':
      input = <textarea {...common} rows={3} value={str} onInput={onText} />;
      break;
    case 'number':
      input = <input {...common} type="text" inputMode="decimal" value={str} onInput={onText} />;
      break;
    case 'date':
      input = <input {...common} type="date" value={str} onInput={onText} />;
      break;
    case 'datetime':
      input = <input {...common} type="datetime-local" value={str} onInput={onText} />;
      break;
    case 'select':
      input = (
        <select {...common} value={str} onChange={onText}>
          <option value="">{t('entry.selectNone')}</option>
          {def.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      );
      break;
    case 'phone':
      input = <input {...common} type="tel" autoComplete="off" value={str} onInput={onText} />;
      break;
    case 'email':
      input = <input {...common} type="email" autoComplete="off" value={str} onInput={onText} />;
      break;
    case 'checkbox':
      input = (
        <input
          {...common}
          type="checkbox"
          checked={value === true}
          onChange={(e) => onChange(e.currentTarget.checked)}
        />
      );
      break;
    case 'reference':
      input = <RefInput id={id} object={def.object} value={str} onChange={onChange} invalid={!!error} />;
      break;
    default:
      input = (
        <input {...common} type="text" maxLength={def.max_length ?? 255} autoComplete="off" value={str} onInput={onText} />
      );
  }
  return (
    <div class={`field field-${def.type} ${error ? 'has-error' : ''}`} data-field={def.name}>
      <div class="field-label-row">
        <label for={id}>
          {labelOf(def)}
          {def.required && (
            <span class="required" title={t('entry.required')}>
              *<span class="sr-only">{t('entry.required')}</span>
            </span>
          )}
        </label>
        <span id={errId} class="field-error" role={error ? 'alert' : undefined} title={error?.detail}>
          {error?.text ?? ''}
        </span>
      </div>
      {input}
    </div>
  );
}

/** A reference to an account or contact: the chosen record's title, and a search to change it. */
function RefInput(props: { id: string; object: string; value: string; onChange: (v: string) => void; invalid: boolean }) {
  const { id, object, value, onChange, invalid } = props;
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<Hit[]>([]);
  const [error, setError] = useState<string | null>(null);
  const title = value ? (titleOf(object, value) ?? '…') : t('entry.selectNone');
  const run = async () => {
    setError(null);
    try {
      const res = await search(object, q, { limit: 10 });
      setHits(res.items);
    } catch (e) {
      setHits([]);
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <div class="ref-input" aria-invalid={invalid ? 'true' : undefined}>
      <div class="ref-current">
        <span>{title}</span>
        {value && (
          <button type="button" class="link-button" onClick={() => onChange('')}>
            {t('entry.refClear')}
          </button>
        )}
      </div>
      <div class="ref-search">
        <input
          id={id}
          type="search"
          value={q}
          placeholder={t('entry.refSearch', { object: objectLabel(object) })}
          onInput={(e) => setQ(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              void run();
            }
          }}
        />
        <button type="button" onClick={() => void run()}>
          {t('search.run')}
        </button>
      </div>
      {error && <p class="error-text">{error}</p>}
      {hits.length > 0 && (
        <ul class="ref-hits">
          {hits.map((h) => (
            <li key={h.id}>
              <button
                type="button"
                class="link-button"
                onClick={() => {
                  rememberTitle(object, h.id, h.title);
                  onChange(h.id);
                  setHits([]);
                  setQ('');
                }}
              >
                {h.title}
                {h.subtitle ? ` — ${h.subtitle}` : ''}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
