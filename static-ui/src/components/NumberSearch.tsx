//! Find a customer and take their number: search one of the configured search objects that has
//! a phone field, click a hit, and its first phone number (and the record's title) is handed to
//! `onPick`. Used by the
//! consultation dialog and the local simulator panel.

import { useState } from 'preact/hooks';
import { getRecord, search } from '../api/crm';
import { errorText } from '../api/errors';
import type { Hit } from '../api/types';
import { nationalPhone } from '../format';
import { labelOf, t } from '../i18n';
import { settings } from '../state/settings';
import { Icon } from './Icon';

/** Objects of the search settings that have a phone field (their numbers can be dialled). */
function phoneObjects() {
  const s = settings.value;
  const out = [];
  for (const x of s?.search ?? []) {
    const o = s?.objects.find((d) => d.name === x.object);
    if (o && o.fields.some((f) => f.type === 'phone')) out.push(o);
  }
  return out;
}

export function NumberSearch({ idPrefix, onPick }: { idPrefix: string; onPick: (number: string, name: string) => void }) {
  const objects = phoneObjects();
  const [object, setObject] = useState('');
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<Hit[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const chosen = objects.find((o) => o.name === object) ?? objects[0];

  const pick = async (hit: Hit) => {
    setError(null);
    try {
      const r = await getRecord(hit.object, hit.id);
      const def = settings.peek()?.objects.find((o) => o.name === r.object);
      const phones = (def?.fields ?? []).filter((f) => f.type === 'phone').map((f) => r.display[f.name] ?? r.fields[f.name]);
      const number = phones.find((p): p is string => typeof p === 'string' && p.trim() !== '');
      if (!number) {
        setError(t('numberSearch.noPhone', { name: r.title }));
        return;
      }
      onPick(number.startsWith('+') ? nationalPhone(number) : number, r.title);
      setHits(null);
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <div class="number-search" id={`${idPrefix}-search`}>
      <form
        class="number-search-form"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          if (!chosen) return;
          setBusy(true);
          setError(null);
          search(chosen.name, query, { limit: 8 })
            .then((p) => setHits(p.items))
            .catch((err: unknown) => setError(errorText(err)))
            .finally(() => setBusy(false));
        }}
      >
        <label for={`${idPrefix}-object`} class="sr-only">
          {t('search.object')}
        </label>
        <select id={`${idPrefix}-object`} value={chosen?.name ?? ''} onChange={(e) => setObject(e.currentTarget.value)}>
          {objects.map((o) => (
            <option key={o.name} value={o.name}>
              {labelOf(o)}
            </option>
          ))}
        </select>
        <label for={`${idPrefix}-query`} class="sr-only">
          {t('search.query')}
        </label>
        <input
          id={`${idPrefix}-query`}
          type="search"
          placeholder={t('numberSearch.placeholder')}
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
        />
        <button type="submit" id={`${idPrefix}-search-run`} disabled={busy || !chosen}>
          <Icon name="search" /> {t('search.run')}
        </button>
      </form>
      {hits && (
        <ul class="number-hits" id={`${idPrefix}-hits`}>
          {hits.length === 0 && <li class="muted">{t('search.noResults')}</li>}
          {hits.map((h) => (
            <li key={`${h.object}-${h.id}`}>
              <button type="button" class="link-button" onClick={() => void pick(h)}>
                {h.title}
                {h.subtitle ? `（${h.subtitle}）` : ''}
              </button>
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p class="error-text" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
