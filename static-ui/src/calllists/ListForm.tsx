//! Creating or changing a call list (name, the line it is dialled on, the talk script, a
//! description), and deleting one with its targets. The line and script come from the
//! settings; the API's refusals are shown on the field they concern.

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { errorText } from '../api/errors';
import { nationalPhone } from '../format';
import { labelOf, t, titleOf } from '../i18n';
import { settings } from '../state/settings';
import type { CallList, ListInput } from './api';
import { createList, deleteListStep, updateList } from './api';
import { dropList, panel, putList } from './lists';

type Field = 'name' | 'line_id' | 'script_id' | 'description';

function inputOf(l: CallList | null, defaultLine: string): ListInput {
  return {
    name: l?.name ?? '',
    line_id: l?.line_id ?? defaultLine,
    script_id: l?.script_id ?? '',
    description: l?.description ?? '',
  };
}

export function ListForm({ list }: { list: CallList | null }) {
  const lines = settings.value?.lines ?? [];
  const scripts = settings.value?.scripts ?? [];
  const [value, setValue] = useState<ListInput>(() => inputOf(list, lines[0]?.id ?? ''));
  const [version, setVersion] = useState(list?.version ?? 0);
  const [error, setError] = useState<{ field: Field | null; text: string } | null>(null);
  const [saving, setSaving] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => {
    first.current?.focus();
  }, [list?.id]);

  const line = lines.find((l) => l.id === value.line_id);
  const lineScript = line?.script_id ? titleOf(scripts.find((s) => s.id === line.script_id)) || undefined : undefined;
  const invalid = (f: Field) => (error?.field === f ? true : undefined);
  const fieldError = (f: Field) =>
    error?.field === f ? (
      <span class="error-text cl-field-error" id={`cl-form-${f}-error`}>
        {error.text}
      </span>
    ) : null;

  async function save(e: Event) {
    e.preventDefault();
    if (!value.name.trim()) {
      setError({ field: 'name', text: t('lists.form.nameRequired') });
      return;
    }
    if (!value.line_id) {
      setError({ field: 'line_id', text: t('lists.form.lineRequired') });
      return;
    }
    setSaving(true);
    setError(null);
    const body: ListInput = { name: value.name.trim(), line_id: value.line_id };
    if (value.script_id) body.script_id = value.script_id;
    if (value.description?.trim()) body.description = value.description.trim();
    try {
      const saved = list ? await updateList(list.id, version, body) : await createList(body);
      putList(saved);
      panel.value = null;
    } catch (err) {
      if (err instanceof ApiError && err.code === 'stale_version' && err.current) {
        const current = err.current as CallList;
        putList(current);
        setValue(inputOf(current, value.line_id));
        setVersion(current.version);
        setError({ field: null, text: t('lists.form.conflict', { who: current.updated_by, version: current.version }) });
      } else {
        const field = err instanceof ApiError && err.field && ['name', 'line_id', 'script_id', 'description'].includes(err.field) ? (err.field as Field) : null;
        setError({ field, text: errorText(err) });
      }
    } finally {
      setSaving(false);
    }
  }

  return (
    <section class="cl-panel" id="cl-form" aria-labelledby="cl-form-title">
      <h2 id="cl-form-title">{list ? t('lists.form.editTitle', { name: list.name }) : t('lists.form.newTitle')}</h2>
      <form class="cl-form" onSubmit={(e) => void save(e)} noValidate>
        <label>
          <span>
            {t('lists.form.name')}
            <span class="cl-required">{t('entry.required')}</span>
          </span>
          <input
            ref={first}
            type="text"
            id="cl-form-name"
            maxLength={100}
            value={value.name}
            aria-invalid={invalid('name')}
            aria-describedby={invalid('name') ? 'cl-form-name-error' : undefined}
            onInput={(e) => setValue({ ...value, name: e.currentTarget.value })}
          />
          {fieldError('name')}
        </label>
        <label>
          <span>
            {t('lists.form.line')}
            <span class="cl-required">{t('entry.required')}</span>
          </span>
          <select
            id="cl-form-line"
            value={value.line_id}
            aria-invalid={invalid('line_id')}
            onChange={(e) => setValue({ ...value, line_id: e.currentTarget.value })}
          >
            {lines.length === 0 && <option value="">{t('info.noLines')}</option>}
            {lines.map((l) => (
              <option key={l.id} value={l.id}>
                {labelOf(l)}（{nationalPhone(l.number)}）
              </option>
            ))}
          </select>
          {fieldError('line_id')}
        </label>
        <label>
          {t('lists.form.script')}
          <select
            id="cl-form-script"
            value={value.script_id ?? ''}
            aria-invalid={invalid('script_id')}
            onChange={(e) => setValue({ ...value, script_id: e.currentTarget.value })}
          >
            <option value="">{lineScript ? t('lists.form.scriptOfLine', { title: lineScript }) : t('app.none')}</option>
            {scripts.map((s) => (
              <option key={s.id} value={s.id}>
                {titleOf(s)}
              </option>
            ))}
          </select>
          {fieldError('script_id')}
        </label>
        <label class="cl-form-wide">
          {t('lists.form.description')}
          <textarea
            id="cl-form-description"
            rows={2}
            maxLength={1000}
            value={value.description ?? ''}
            aria-invalid={invalid('description')}
            onInput={(e) => setValue({ ...value, description: e.currentTarget.value })}
          />
          {fieldError('description')}
        </label>
        <div class="cl-form-foot">
          <button type="submit" class="primary" id="cl-form-save" disabled={saving}>
            {saving ? t('app.saving') : list ? t('app.save') : t('lists.form.create')}
          </button>
          <button type="button" onClick={() => (panel.value = null)}>
            {t('app.cancel')}
          </button>
          {error && !error.field && (
            <p class="error-text cl-form-message" role="alert" id="cl-form-message">
              {error.text}
            </p>
          )}
        </div>
      </form>
    </section>
  );
}

export function DeletePanel({ list }: { list: CallList }) {
  const [state, setState] = useState<{ running: boolean; deleted: number; error: string | null }>({ running: false, deleted: 0, error: null });
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    cancel.current?.focus();
  }, [list.id]);

  async function run() {
    let deleted = 0;
    setState({ running: true, deleted, error: null });
    try {
      // A large list goes in steps: the API answers 202 with its progress until it is gone.
      for (;;) {
        const step = await deleteListStep(list.id);
        deleted += step.deleted;
        if (step.done) break;
        setState({ running: true, deleted, error: null });
      }
      dropList(list.id);
      panel.value = null;
    } catch (e) {
      setState({ running: false, deleted, error: errorText(e) });
    }
  }

  return (
    <section class="cl-panel cl-delete" id="cl-delete" aria-labelledby="cl-delete-title">
      <h2 id="cl-delete-title">{t('lists.deleteTitle', { name: list.name })}</h2>
      <p>{t('lists.deleteWarning', { total: list.counts.total.toLocaleString() })}</p>
      <div class="cl-form-foot">
        <button type="button" class="primary cl-danger" id="cl-delete-confirm" disabled={state.running} onClick={() => void run()}>
          {state.running ? t('lists.deleting', { deleted: state.deleted.toLocaleString() }) : t('lists.deleteConfirm')}
        </button>
        <button type="button" ref={cancel} disabled={state.running} onClick={() => (panel.value = null)}>
          {t('app.cancel')}
        </button>
        {state.error && (
          <p class="error-text" role="alert">
            {state.error}
          </p>
        )}
      </div>
    </section>
  );
}
