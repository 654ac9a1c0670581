//! IVRメニュー on the admin page: per line, the greeting and the options (a key, what the option
//! is, words that choose it, where it leads — an operator, a message, voicemail or a sub-menu, two
//! levels deep at most), how long to wait and how often to repeat, and what a caller who chooses
//! nothing gets. Beside it, every prompt the caller can hear, in order, as the server builds them
//! for the call.

import { useEffect, useState } from 'preact/hooks';
import { post } from '../api/client';
import { errorText } from '../api/errors';
import type { components } from '../api/schema.gen';
import { labelOf } from '../i18n';
import { th } from './hoursText';
import { queueName, tq } from './queuesText';
import { settings } from '../state/settings';
import './hours.css';

type Menu = components['schemas']['Menu'];
type MenuOption = components['schemas']['MenuOption'];
type MenuAction = components['schemas']['MenuAction'];
type MenuPreview = components['schemas']['MenuPreview'];
type MenusByLine = Record<string, Menu>;

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '*', '#'];
/** The menu and two levels of sub-menus. */
const MAX_DEPTH = 3;

export function newMenu(): Menu {
  return {
    greeting: 'お電話ありがとうございます。',
    speech: false,
    timeout_seconds: 5,
    attempts: 3,
    options: [{ id: 'general', key: '1', label: 'お問い合わせ', action: { action: 'queue' } }],
    default: { action: 'queue' },
  };
}

function actionOf(kind: string, previous: MenuAction): MenuAction {
  switch (kind) {
    case 'message':
      return { action: 'message', text: previous.action === 'message' ? previous.text : '' };
    case 'voicemail':
      return { action: 'voicemail' };
    case 'submenu':
      return { action: 'submenu', menu: { ...newMenu(), greeting: '' } };
    default:
      return { action: 'queue' };
  }
}

function ActionPicker({ value, set, label, id, submenu }: { value: MenuAction; set: (a: MenuAction) => void; label: string; id: string; submenu: boolean }) {
  return (
    <span class="ivr-action">
      <select id={id} aria-label={label} value={value.action} onChange={(e) => set(actionOf(e.currentTarget.value, value))}>
        <option value="queue">{th('ivr.action.queue')}</option>
        <option value="message">{th('ivr.action.message')}</option>
        <option value="voicemail">{th('ivr.action.voicemail')}</option>
        {submenu && <option value="submenu">{th('ivr.action.submenu')}</option>}
      </select>
      {value.action === 'message' && (
        <input type="text" class="ivr-text" aria-label={`${label} ${th('ivr.text')}`} value={value.text} onInput={(e) => set({ action: 'message', text: e.currentTarget.value })} />
      )}
      {value.action === 'queue' && (settings.value?.queues?.length ?? 0) > 1 && (
        <select
          id={`${id}-queue`}
          class="ivr-queue"
          aria-label={`${label} ${tq('queues.lineQueue')}`}
          value={value.queue ?? ''}
          onChange={(e) => {
            const queue = e.currentTarget.value;
            set(queue ? { action: 'queue', queue } : { action: 'queue' });
          }}
        >
          <option value="">{tq('queues.lineDefault')}</option>
          {(settings.value?.queues ?? []).map((q) => (
            <option key={q.id} value={q.id}>
              {queueName(q)}
            </option>
          ))}
        </select>
      )}
    </span>
  );
}

/** One menu (or sub-menu) at `depth` (1 for the line's menu); `path` names its inputs' ids. */
function MenuEditor({ menu, set, depth, path }: { menu: Menu; set: (m: Menu) => void; depth: number; path: string }) {
  const putOption = (i: number, o: MenuOption) => set({ ...menu, options: menu.options.map((x, j) => (j === i ? o : x)) });
  const free = KEYS.find((k) => !menu.options.some((o) => o.key === k));
  return (
    <div class={`ivr-menu depth-${depth}`}>
      <label class="ivr-greeting">
        {th('ivr.greeting')}
        <textarea id={`ivr-greeting${path}`} rows={2} value={menu.greeting} onInput={(e) => set({ ...menu, greeting: e.currentTarget.value })} />
      </label>
      <div class="ivr-settings">
        <label class="check">
          <input type="checkbox" id={`ivr-speech${path}`} checked={!!menu.speech} onChange={(e) => set({ ...menu, speech: e.currentTarget.checked })} />
          {th('ivr.speech')}
        </label>
        <label>
          {th('ivr.timeout')}
          <input type="number" min={1} max={30} value={menu.timeout_seconds ?? 5} onInput={(e) => set({ ...menu, timeout_seconds: e.currentTarget.valueAsNumber || 0 })} />
        </label>
        <label>
          {th('ivr.attempts')}
          <input type="number" min={1} max={5} value={menu.attempts ?? 3} onInput={(e) => set({ ...menu, attempts: e.currentTarget.valueAsNumber || 0 })} />
        </label>
      </div>
      <table class="ivr-options">
        <caption>{th('ivr.options')}</caption>
        <thead>
          <tr>
            <th>{th('ivr.key')}</th>
            <th>{th('ivr.id')}</th>
            <th>{th('ivr.label')}</th>
            <th>{th('ivr.keywords')}</th>
            <th>{th('ivr.action')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {menu.options.map((o, i) => {
            const row = `${path}-${i}`;
            return [
              <tr key={`o${i}`}>
                <td>
                  <select aria-label={`${th('ivr.key')} ${i + 1}`} id={`ivr-key${row}`} value={o.key} onChange={(e) => putOption(i, { ...o, key: e.currentTarget.value })}>
                    {KEYS.map((k) => (
                      <option key={k} value={k}>
                        {k}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <input type="text" class="mono ivr-id" aria-label={`${th('ivr.id')} ${i + 1}`} value={o.id} onInput={(e) => putOption(i, { ...o, id: e.currentTarget.value.trim() })} />
                </td>
                <td>
                  <input type="text" aria-label={`${th('ivr.label')} ${i + 1}`} id={`ivr-label${row}`} value={o.label} onInput={(e) => putOption(i, { ...o, label: e.currentTarget.value })} />
                </td>
                <td>
                  <input
                    type="text"
                    aria-label={`${th('ivr.keywords')} ${i + 1}`}
                    value={(o.keywords ?? []).join(', ')}
                    disabled={!menu.speech}
                    onInput={(e) => {
                      const words = e.currentTarget.value.split(/[,、]/).map((w) => w.trim()).filter(Boolean);
                      const next: MenuOption = { id: o.id, key: o.key, label: o.label, action: o.action };
                      if (words.length) next.keywords = words;
                      putOption(i, next);
                    }}
                  />
                </td>
                <td>
                  <ActionPicker id={`ivr-action${row}`} label={`${th('ivr.action')} ${i + 1}`} value={o.action} submenu={depth < MAX_DEPTH} set={(a) => putOption(i, { ...o, action: a })} />
                </td>
                <td>
                  <button type="button" class="link-button" onClick={() => set({ ...menu, options: menu.options.filter((_, j) => j !== i) })}>
                    {th('ivr.remove')}
                  </button>
                </td>
              </tr>,
              o.action.action === 'submenu' ? (
                <tr key={`s${i}`} class="ivr-submenu-row">
                  <td colSpan={6}>
                    <fieldset class="ivr-submenu">
                      <legend>{th('ivr.submenu', { key: o.key })}</legend>
                      <MenuEditor menu={o.action.menu} depth={depth + 1} path={row} set={(m) => putOption(i, { ...o, action: { action: 'submenu', menu: m } })} />
                    </fieldset>
                  </td>
                </tr>
              ) : null,
            ];
          })}
        </tbody>
      </table>
      {free && (
        <button
          type="button"
          class="link-button"
          id={`ivr-add${path}`}
          onClick={() => set({ ...menu, options: [...menu.options, { id: `option_${free.replace(/\W/, 'x')}`, key: free, label: '', action: { action: 'queue' } }] })}
        >
          {th('ivr.addOption')}
        </button>
      )}
      <div class="ivr-default">
        {th('ivr.default')}: <ActionPicker id={`ivr-default${path}`} label={th('ivr.default')} value={menu.default} submenu={false} set={(a) => set({ ...menu, default: a })} />
      </div>
    </div>
  );
}

/** What the caller hears from `menu`, asked of the server after a short pause on each change. */
function Preview({ menu }: { menu: Menu }) {
  const [prompts, setPrompts] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = JSON.stringify(menu);
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      post<MenuPreview>('/api/settings/menu/preview', menu)
        .then((p) => {
          if (!live) return;
          setPrompts(p.prompts);
          setError(null);
        })
        .catch((e: unknown) => {
          if (!live) return;
          setPrompts(null);
          setError(errorText(e));
        });
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [key]);
  return (
    <div class="ivr-preview" id="ivr-preview" role="status">
      <h4>{th('ivr.preview')}</h4>
      {error && <p class="error-text">{th('hours.previewFailed', { reason: error })}</p>}
      {prompts && (
        <ol id="ivr-prompts">
          {prompts.map((p, i) => (
            <li key={i}>{p}</li>
          ))}
        </ol>
      )}
    </div>
  );
}

/** The section's body: `value` is every line's menu by line id. */
export function MenuSectionEditor({ value, set }: { value: MenusByLine | undefined; set: (v: MenusByLine) => void }) {
  const all = value ?? {};
  const lines = settings.value?.lines ?? [];
  const [line, setLine] = useState(lines[0]?.id ?? '');
  const menu = all[line];
  const put = (m: Menu | undefined) => {
    const next = { ...all };
    if (m) next[line] = m;
    else delete next[line];
    set(next);
  };
  return (
    <div class="ivr-editor">
      <label class="hours-line">
        {th('hours.line')}
        <select id="ivr-line" value={line} onChange={(e) => setLine(e.currentTarget.value)}>
          {lines.map((l) => (
            <option key={l.id} value={l.id}>
              {labelOf(l)}（{l.number}）
            </option>
          ))}
        </select>
      </label>
      <label class="check">
        <input type="checkbox" id="ivr-enabled" checked={!!menu} onChange={(e) => put(e.currentTarget.checked ? newMenu() : undefined)} />
        {th('ivr.enabled')}
      </label>
      {menu && (
        <div class="hours-grid">
          <MenuEditor menu={menu} set={put} depth={1} path="" />
          <Preview menu={menu} />
        </div>
      )}
    </div>
  );
}
