//! The admin page (/admin): every settings section, each edited and saved on its own. Loaded on
//! demand, so operators never download it. Non-admins get a polite refusal.

import { useEffect } from 'preact/hooks';
import { PageLink, RoleRefusal } from '../components/PageLink';
import type { CallHandling, LabelledId, Line, NoteField, SearchObject, TalkScript } from '../api/types';
import { currentUser, hasRole } from '../auth';
import { labelOf, lang, setLang, t } from '../i18n';
import { settings } from '../state/settings';
import { ObjectsEditor } from './ObjectsEditor';
import { RowsEditor, SelectCell, TextCell } from './RowsEditor';
import { DialingEditor, ShortcutsEditor } from './AgentSettings';
import { HoursEditor } from './HoursSection';
import { th } from './hoursText';
import { MenuSectionEditor } from './MenuSection';
import { QueuesEditor, queuesNote } from './QueuesSection';
import { queueName, tq } from './queuesText';
import { SectionEditor } from './SectionEditor';
import { UsersSection } from './UsersSection';
import { WaitingEditor, waitingNote } from './WaitingSection';

const SECTIONS = [
  'lines',
  'response_statuses',
  'presence_statuses',
  'special_notes',
  'history_tabs',
  'search',
  'scripts',
  'objects',
  'call_handling',
  'dialing',
  'shortcuts',
  'hours',
  'menu',
  'waiting',
] as const;

/** The call handling settings given in seconds. */
const SECONDS = ['wrap_up_seconds', 'max_wait_seconds', 'ring_timeout_seconds', 'orphan_hold_seconds', 'service_level_seconds'] as const satisfies readonly (keyof CallHandling)[];

const TEXTUAL = new Set(['text', 'long_text', 'phone', 'email', 'select', 'date', 'datetime']);

function objectOptions() {
  return (settings.value?.objects ?? []).map((o) => ({ value: o.name, label: `${labelOf(o)} (${o.name})` }));
}

function fieldOptions(object: string, filter?: (type: string) => boolean) {
  const o = settings.value?.objects.find((x) => x.name === object);
  return (o?.fields ?? []).filter((f) => !filter || filter(f.type)).map((f) => ({ value: f.name, label: `${labelOf(f)} (${f.name})` }));
}

function withLabelEn<T extends { label_en?: string | null }>(row: T, v: string): T {
  const next = { ...row };
  if (v) next.label_en = v;
  else delete next.label_en;
  return next;
}

function labelledColumns<T extends LabelledId>() {
  return [
    { key: 'id', label: t('admin.col.id'), render: (r: T, s: (n: T) => void, l: string) => <TextCell mono label={l} value={r.id} onInput={(v) => s({ ...r, id: v })} /> },
    { key: 'label', label: t('admin.col.label'), render: (r: T, s: (n: T) => void, l: string) => <TextCell label={l} value={r.label} onInput={(v) => s({ ...r, label: v })} /> },
    {
      key: 'label_en',
      label: t('admin.col.label_en'),
      render: (r: T, s: (n: T) => void, l: string) => <TextCell label={l} value={r.label_en ?? ''} onInput={(v) => s(withLabelEn(r, v))} />,
    },
  ];
}

export function AdminPage() {
  useEffect(() => {
    document.title = `${t('admin.title')} — ${t('app.title')}`;
  }, []);
  if (!hasRole('admin')) return <RoleRefusal id="admin-refused" title={t('admin.title')} message="admin.refused" />;
  const scripts = settings.value?.scripts ?? [];
  return (
    <div class="admin" id="admin">
      <header class="admin-head">
        <h1>{t('admin.title')}</h1>
        <span class="muted">{currentUser.value?.name}</span>
        <span class="info-spacer" />
        <button type="button" class="link-button" aria-label={t('app.switchLangLabel')} onClick={() => setLang(lang.value === 'ja' ? 'en' : 'ja')}>
          {t('app.switchLang')}
        </button>
        <a href="#section-users" class="link-button" id="admin-users">
          {t('admin.usersLink')}
        </a>
        <PageLink to="/admin/call-lists" class="link-button" id="admin-call-lists">
          {t('lists.title')}
        </PageLink>
        <PageLink to="/monitor" class="link-button">
          {t('monitor.title')}
        </PageLink>
        <PageLink to="/" class="link-button">
          {t('admin.back')}
        </PageLink>
      </header>
      <div class="admin-layout">
        <nav class="admin-nav" aria-label={t('admin.title')}>
          <ul>
            <li>
              <a href="#section-users">{t('users.title')}</a>
            </li>
            {SECTIONS.map((s) => (
              <li key={s}>
                <a href={`#section-${s}`}>{t(`admin.section.${s}`)}</a>
              </li>
            ))}
            <li>
              <a href="#section-queues">{tq('queues.title')}</a>
            </li>
          </ul>
        </nav>
        <main class="admin-main">
          <UsersSection />
          <SectionEditor section="lines">
            {(v, set) => (
              <RowsEditor<Line>
                id="rows-lines"
                rows={v}
                onChange={set}
                newRow={() => ({ id: '', number: '', label: '', recording: false })}
                columns={[
                  { key: 'id', label: t('admin.col.id'), render: (r, s, l) => <TextCell mono label={l} value={r.id} onInput={(x) => s({ ...r, id: x })} /> },
                  { key: 'number', label: t('admin.col.number'), render: (r, s, l) => <TextCell label={l} value={r.number} onInput={(x) => s({ ...r, number: x })} /> },
                  { key: 'label', label: t('admin.col.label'), render: (r, s, l) => <TextCell label={l} value={r.label} onInput={(x) => s({ ...r, label: x })} /> },
                  { key: 'label_en', label: t('admin.col.label_en'), render: (r, s, l) => <TextCell label={l} value={r.label_en ?? ''} onInput={(x) => s(withLabelEn(r, x))} /> },
                  {
                    key: 'recording',
                    label: t('admin.col.recording'),
                    class: 'center',
                    render: (r, s, l) => (
                      <input type="checkbox" aria-label={l} checked={!!r.recording} onChange={(e) => s({ ...r, recording: e.currentTarget.checked })} />
                    ),
                  },
                  {
                    key: 'transcription',
                    label: t('admin.col.transcription'),
                    class: 'center',
                    render: (r, s, l) => (
                      <input
                        type="checkbox"
                        aria-label={l}
                        title={t('admin.transcriptionHint')}
                        checked={!!r.transcription}
                        onChange={(e) => s({ ...r, transcription: e.currentTarget.checked })}
                      />
                    ),
                  },
                  {
                    key: 'script',
                    label: t('admin.col.script'),
                    render: (r, s, l) => (
                      <SelectCell
                        label={l}
                        value={r.script_id ?? ''}
                        allowEmpty={t('app.none')}
                        options={scripts.map((x) => ({ value: x.id, label: x.title }))}
                        onChange={(x) => {
                          const next = { ...r };
                          if (x) next.script_id = x;
                          else delete next.script_id;
                          s(next);
                        }}
                      />
                    ),
                  },
                  {
                    key: 'queue',
                    label: tq('queues.lineQueue'),
                    render: (r, s, l) => (
                      <SelectCell
                        label={l}
                        value={r.queue ?? ''}
                        allowEmpty={tq('queues.firstQueue')}
                        options={(settings.value?.queues ?? []).map((q) => ({ value: q.id, label: queueName(q) }))}
                        onChange={(x) => {
                          const next = { ...r };
                          if (x) next.queue = x;
                          else delete next.queue;
                          s(next);
                        }}
                      />
                    ),
                  },
                ]}
              />
            )}
          </SectionEditor>
          <SectionEditor section="response_statuses">
            {(v, set) => <RowsEditor<LabelledId> id="rows-response_statuses" rows={v} onChange={set} newRow={() => ({ id: '', label: '' })} columns={labelledColumns<LabelledId>()} />}
          </SectionEditor>
          <SectionEditor section="presence_statuses" note={t('admin.presenceNote')}>
            {(v, set) => <RowsEditor<LabelledId> id="rows-presence_statuses" rows={v} onChange={set} newRow={() => ({ id: '', label: '' })} columns={labelledColumns<LabelledId>()} />}
          </SectionEditor>
          <SectionEditor section="special_notes">
            {(v, set) => (
              <RowsEditor<NoteField>
                id="rows-special_notes"
                rows={v}
                onChange={set}
                newRow={() => ({ object: 'account', field: '' })}
                columns={[
                  {
                    key: 'object',
                    label: t('admin.col.object'),
                    render: (r, s, l) => <SelectCell label={l} value={r.object} options={objectOptions()} onChange={(x) => s({ object: x, field: '' })} />,
                  },
                  {
                    key: 'field',
                    label: t('admin.col.field'),
                    render: (r, s, l) => <SelectCell label={l} value={r.field} allowEmpty="—" options={fieldOptions(r.object)} onChange={(x) => s({ ...r, field: x })} />,
                  },
                ]}
              />
            )}
          </SectionEditor>
          <SectionEditor section="history_tabs">
            {(v, set) => (
              <RowsEditor<{ object: string }>
                id="rows-history_tabs"
                rows={v.map((object) => ({ object }))}
                onChange={(rows) => set(rows.map((r) => r.object))}
                newRow={() => ({ object: '' })}
                columns={[
                  {
                    key: 'object',
                    label: t('admin.col.object'),
                    render: (r, s, l) => <SelectCell label={l} value={r.object} allowEmpty="—" options={objectOptions()} onChange={(x) => s({ object: x })} />,
                  },
                ]}
              />
            )}
          </SectionEditor>
          <SectionEditor section="search">
            {(v, set) => (
              <RowsEditor<SearchObject>
                id="rows-search"
                rows={v}
                onChange={set}
                newRow={() => ({ object: '', fields: [] })}
                columns={[
                  {
                    key: 'object',
                    label: t('admin.col.object'),
                    render: (r, s, l) => <SelectCell label={l} value={r.object} allowEmpty="—" options={objectOptions()} onChange={(x) => s({ object: x, fields: [] })} />,
                  },
                  {
                    key: 'fields',
                    label: t('admin.col.fields'),
                    render: (r, s, l) => (
                      <div class="checkbox-group" role="group" aria-label={l}>
                        {fieldOptions(r.object, (ty) => TEXTUAL.has(ty)).map((f) => (
                          <label key={f.value} class="check">
                            <input
                              type="checkbox"
                              checked={r.fields.includes(f.value)}
                              onChange={(e) => {
                                const on = e.currentTarget.checked;
                                s({ ...r, fields: on ? [...r.fields, f.value] : r.fields.filter((x) => x !== f.value) });
                              }}
                            />
                            {f.label}
                          </label>
                        ))}
                      </div>
                    ),
                  },
                ]}
              />
            )}
          </SectionEditor>
          <SectionEditor section="scripts">
            {(v, set) => (
              <RowsEditor<TalkScript>
                id="rows-scripts"
                rows={v}
                onChange={set}
                newRow={() => ({ id: '', title: '', body: '' })}
                columns={[
                  { key: 'id', label: t('admin.col.id'), render: (r, s, l) => <TextCell mono label={l} value={r.id} onInput={(x) => s({ ...r, id: x })} /> },
                  { key: 'title', label: t('admin.col.title'), render: (r, s, l) => <TextCell label={l} value={r.title} onInput={(x) => s({ ...r, title: x })} /> },
                  {
                    key: 'title_en',
                    label: t('admin.col.title_en'),
                    render: (r, s, l) => (
                      <TextCell
                        label={l}
                        value={r.title_en ?? ''}
                        onInput={(x) => {
                          const next = { ...r };
                          if (x) next.title_en = x;
                          else delete next.title_en;
                          s(next);
                        }}
                      />
                    ),
                  },
                  {
                    key: 'body',
                    label: t('admin.col.body'),
                    class: 'wide',
                    render: (r, s, l) => (
                      <textarea rows={5} aria-label={l} value={r.body} onInput={(e) => s({ ...r, body: e.currentTarget.value })} />
                    ),
                  },
                ]}
              />
            )}
          </SectionEditor>
          <SectionEditor section="objects">{(v, set) => <ObjectsEditor value={v} set={set} />}</SectionEditor>
          <SectionEditor section="call_handling">
            {(v, set) => (
              <div class="call-handling">
                {SECONDS.map((k) => (
                  <label key={k}>
                    {t(`admin.ch.${k}`)}
                    <input
                      type="number"
                      id={`ch-${k}`}
                      value={v[k]}
                      onInput={(e) => set({ ...v, [k]: e.currentTarget.valueAsNumber || 0 })}
                    />
                  </label>
                ))}
                <label class="check">
                  <input
                    type="checkbox"
                    id="ch-require_response_status"
                    checked={!!v.require_response_status}
                    onChange={(e) => set({ ...v, require_response_status: e.currentTarget.checked })}
                  />
                  {t('admin.ch.require_response_status')}
                  <span class="muted">{t('admin.ch.require_response_status_hint')}</span>
                </label>
                <label>
                  {t('admin.ch.recording_retention_days')}
                  <input
                    type="number"
                    id="ch-recording_retention_days"
                    min={0}
                    value={v.recording_retention_days}
                    onInput={(e) => set({ ...v, recording_retention_days: e.currentTarget.valueAsNumber || 0 })}
                  />
                </label>
                <label class="check">
                  <input
                    type="checkbox"
                    id="ch-operators_play_own_recordings"
                    checked={!!v.operators_play_own_recordings}
                    onChange={(e) => set({ ...v, operators_play_own_recordings: e.currentTarget.checked })}
                  />
                  {t('admin.ch.operators_play_own_recordings')}
                  <span class="muted">{t('admin.ch.operators_play_own_recordings_hint')}</span>
                </label>
              </div>
            )}
          </SectionEditor>
          <SectionEditor section="dialing" note={t('admin.dialingNote')}>
            {(v, set) => <DialingEditor value={v} set={set} />}
          </SectionEditor>
          <SectionEditor section="shortcuts" note={t('admin.shortcutsNote')}>
            {(v, set) => <ShortcutsEditor value={v} set={set} />}
          </SectionEditor>
          <SectionEditor section="hours" note={th('admin.hoursNote')}>
            {(v, set) => <HoursEditor value={v} set={set} />}
          </SectionEditor>
          <SectionEditor section="menu" note={th('admin.menuNote')}>
            {(v, set) => <MenuSectionEditor value={v} set={set} />}
          </SectionEditor>
          <SectionEditor section="waiting" note={waitingNote()}>
            {(v, set) => <WaitingEditor value={v} set={set} />}
          </SectionEditor>
          <SectionEditor section="queues" note={queuesNote()} title={tq('queues.title')}>
            {(v, set) => <QueuesEditor value={v ?? []} set={set} />}
          </SectionEditor>
        </main>
      </div>
    </div>
  );
}
