//! One settings section: a draft of its value, saved with the version it was based on. A 422
//! shows the API's explanation; a 409 loads the current value (someone else saved first).

import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { errorDetail, errorText } from '../api/errors';
import type { SectionConflict } from '../api/settings';
import { putSection } from '../api/settings';
import type { SectionName, SectionValues } from '../api/types';
import { t } from '../i18n';
import { loadSettings, setSettings, settings } from '../state/settings';

interface Props<S extends SectionName> {
  section: S;
  children: (value: SectionValues[S], set: (v: SectionValues[S]) => void) => ComponentChildren;
  note?: string;
  /** The section's title, for a section whose words are kept beside it rather than in i18n.ts. */
  title?: string;
}

const clone = <T,>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** The sections titled from their own dictionary (`title`), not from i18n.ts. */
type OwnTitled = 'queues';

export function SectionEditor<S extends SectionName>({ section, children, note, title }: Props<S>) {
  const saved = settings.value;
  const savedValue = saved ? (saved[section] as SectionValues[S]) : null;
  const savedVersion = saved?.versions[section] ?? 0;
  const [draft, setDraft] = useState<SectionValues[S] | null>(savedValue ? clone(savedValue) : null);
  const [version, setVersion] = useState(savedVersion);
  const [dirty, setDirty] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error' | 'warn'; text: string; detail?: string | undefined } | null>(null);

  // Follow the saved settings while this section has no unsaved change.
  useEffect(() => {
    if (!dirty && savedValue) {
      setDraft(clone(savedValue));
      setVersion(savedVersion);
    }
  }, [savedValue, savedVersion, dirty]);

  const change = (v: SectionValues[S]) => {
    setDraft(v);
    setDirty(true);
    setMessage(null);
  };

  const save = async () => {
    if (draft === null) return;
    setBusy(true);
    setMessage(null);
    try {
      const next = await putSection(section, version, draft);
      setSettings(next);
      const v = next.versions[section] ?? version + 1;
      setDraft(clone(next[section] as SectionValues[S]));
      setVersion(v);
      setDirty(false);
      setMessage({ kind: 'ok', text: t('admin.sectionSaved', { version: v }) });
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        const current = e.current as SectionConflict<S> | undefined;
        if (current && current.value !== undefined) {
          setDraft(clone(current.value));
          setVersion(current.version);
        }
        setDirty(false);
        setMessage({ kind: 'warn', text: t('admin.conflict', { version: current?.version ?? '?' }), detail: e.message });
        void loadSettings().catch(() => undefined);
      } else {
        setMessage({ kind: 'error', text: errorText(e), detail: errorDetail(e) });
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="admin-section" id={`section-${section}`} aria-labelledby={`section-${section}-title`}>
      <header class="admin-section-head">
        <h2 id={`section-${section}-title`}>{title ?? t(`admin.section.${section as Exclude<S, OwnTitled>}`)}</h2>
        <span class="muted version">{t('admin.version', { version })}</span>
        {dirty && <span class="dirty-badge">{t('admin.dirty')}</span>}
      </header>
      {note && <p class="muted section-note">{note}</p>}
      {draft !== null && children(draft, change)}
      <footer class="admin-section-foot">
        <button type="button" class="primary" id={`save-${section}`} disabled={busy || !dirty} onClick={() => void save()}>
          {busy ? t('app.saving') : t('app.save')}
        </button>
        <button
          type="button"
          disabled={busy || !dirty}
          onClick={() => {
            setDirty(false);
            setMessage(null);
            if (savedValue) {
              setDraft(clone(savedValue));
              setVersion(savedVersion);
            }
          }}
        >
          {t('admin.reset')}
        </button>
        <p
          class={`section-message ${message?.kind === 'ok' ? 'ok-text' : message?.kind === 'warn' ? 'warn-text' : 'error-text'}`}
          role={message?.kind === 'ok' ? 'status' : 'alert'}
          id={`message-${section}`}
          title={message?.detail}
        >
          {message?.text ?? ''}
        </p>
      </footer>
    </section>
  );
}
