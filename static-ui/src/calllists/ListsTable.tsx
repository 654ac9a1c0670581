//! The call lists with their line, talk script and progress: a bar of the targets by state and
//! the count of each, with the actions on a list.

import { nationalPhone } from '../format';
import { labelOf, t } from '../i18n';
import { settings } from '../state/settings';
import type { Counts, CallList } from './api';
import { TARGET_STATES } from './api';
import { closeImport, openImport, uploading } from './importer';
import type { Panel } from './lists';
import { lists, listsCursor, listsLoading, moreLists, panel } from './lists';

/** States in the order the bar shows them: finished work first. */
const BAR_ORDER = ['done', 'callback', 'no_answer', 'in_progress'] as const;

function percent(n: number, total: number): number {
  return total > 0 ? Math.round((n / total) * 1000) / 10 : 0;
}

export function ProgressBar({ counts, id }: { counts: Counts; id?: string }) {
  const total = counts.total;
  const done = percent(counts.done, total);
  return (
    <div class="cl-progress" id={id}>
      <div
        class="cl-bar"
        role="img"
        aria-label={t('lists.progressLabel', { done: counts.done, total, percent: done })}
        title={TARGET_STATES.map((s) => `${t(`callList.state.${s}`)} ${counts[s]}`).join(' ・ ')}
      >
        {BAR_ORDER.map((s) =>
          counts[s] > 0 ? <span key={s} class={`cl-seg cl-seg-${s}`} style={{ width: `${percent(counts[s], total)}%` }} /> : null,
        )}
      </div>
      <span class="cl-progress-text num">{t('lists.progressText', { percent: done })}</span>
    </div>
  );
}

function lineText(id: string): string {
  const line = settings.value?.lines.find((l) => l.id === id);
  return line ? `${labelOf(line)}（${nationalPhone(line.number)}）` : t('lists.unknownLine', { id });
}

function scriptText(l: CallList): string {
  const scripts = settings.value?.scripts ?? [];
  if (l.script_id) return scripts.find((s) => s.id === l.script_id)?.title ?? l.script_id;
  const line = settings.value?.lines.find((x) => x.id === l.line_id);
  const fromLine = line?.script_id ? scripts.find((s) => s.id === line.script_id)?.title : undefined;
  return fromLine ? t('lists.scriptFromLine', { title: fromLine }) : t('app.none');
}

/** Opens a panel below the lists (asking first when an upload would be stopped). */
export function openPanel(p: Panel): void {
  if (uploading() && !confirm(t('lists.import.leaveConfirm'))) return;
  closeImport();
  if (p.kind === 'import') openImport(p.list);
  panel.value = p;
}

export function ListsTable() {
  const all = lists.value;
  const current = panel.value;
  if (!all) return null;
  if (all.length === 0) return <p class="muted cl-empty">{t('lists.none')}</p>;
  return (
    <>
      <table class="cl-table" id="cl-lists">
        <thead>
          <tr>
            <th scope="col">{t('lists.col.name')}</th>
            <th scope="col">{t('lists.col.lineScript')}</th>
            <th scope="col" class="cl-col-progress">
              {t('lists.col.progress')}
            </th>
            {TARGET_STATES.map((s) => (
              <th scope="col" key={s} class="num">
                {t(`callList.state.${s}`)}
              </th>
            ))}
            <th scope="col" class="num">
              {t('lists.total')}
            </th>
            <th scope="col">
              <span class="sr-only">{t('lists.col.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {all.map((l) => {
            const selected = current && current.kind !== 'new' && current.list.id === l.id;
            return (
              <tr key={l.id} id={`cl-list-${l.id}`} class={selected ? 'selected' : ''}>
                <th scope="row" class="cl-name">
                  <span class="cl-list-name">{l.name}</span>
                  {l.description && <span class="cl-desc muted">{l.description}</span>}
                </th>
                <td class="cl-line">
                  <span>{lineText(l.line_id)}</span>
                  <span class="muted">{scriptText(l)}</span>
                </td>
                <td>
                  <ProgressBar counts={l.counts} id={`cl-progress-${l.id}`} />
                </td>
                {TARGET_STATES.map((s) => (
                  <td key={s} class={`num cl-count cl-count-${s}`}>
                    {l.counts[s].toLocaleString()}
                  </td>
                ))}
                <td class="num cl-count cl-count-total">{l.counts.total.toLocaleString()}</td>
                <td class="cl-actions">
                  <button type="button" class="small" onClick={() => openPanel({ kind: 'import', list: l })} aria-label={t('lists.importFor', { name: l.name })}>
                    {t('lists.import')}
                  </button>
                  <button type="button" class="small" onClick={() => openPanel({ kind: 'targets', list: l })} aria-label={t('lists.targetsFor', { name: l.name })}>
                    {t('lists.targets')}
                  </button>
                  <button type="button" class="small" onClick={() => openPanel({ kind: 'edit', list: l })} aria-label={t('lists.editFor', { name: l.name })}>
                    {t('lists.edit')}
                  </button>
                  <button type="button" class="small danger" onClick={() => openPanel({ kind: 'delete', list: l })} aria-label={t('lists.deleteFor', { name: l.name })}>
                    {t('lists.delete')}
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {listsCursor.value && (
        <button type="button" class="small cl-more" disabled={listsLoading.value} onClick={() => void moreLists()}>
          {t('app.more')}
        </button>
      )}
    </>
  );
}
