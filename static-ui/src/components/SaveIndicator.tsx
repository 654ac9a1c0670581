//! The memo's save state: 未保存 / 保存中 / 保存済み / 保存待ち / 競合 (and 保存エラー), with what
//! to do in a conflict. Ready for the memos API: with no saver installed it says the memo is local.

import { t } from '../i18n';
import { conflict, resolveConflict, saveError, saveState } from '../state/memo';

export function SaveIndicator() {
  const state = saveState.value;
  const text =
    state === 'local'
      ? t('memo.state.local')
      : state === 'unsaved'
        ? t('memo.state.unsaved')
        : state === 'saving'
          ? t('memo.state.saving')
          : state === 'saved'
            ? t('memo.state.saved')
            : state === 'pending'
              ? t('memo.state.pending')
              : state === 'conflict'
              ? t('memo.state.conflict')
              : t('memo.state.error');
  const hint =
    state === 'local'
      ? t('memo.state.localHint')
      : state === 'unsaved'
        ? t('memo.state.unsavedHint')
        : state === 'conflict'
        ? t('memo.state.conflictHint')
        : state === 'pending'
          ? t('memo.state.pendingHint', { detail: saveError.value ?? '' })
          : state === 'error'
          ? (saveError.value ?? '')
          : undefined;
  return (
    <span class="save-indicator-wrap">
      <span class={`save-indicator state-${state}`} role="status" aria-live="polite" title={hint} data-state={state}>
        {text}
      </span>
      {state === 'conflict' && conflict.value && (
        <span class="conflict-actions">
          <button type="button" class="small" onClick={() => resolveConflict('theirs')}>
            {t('memo.takeTheirs')}
          </button>
          <button type="button" class="small" onClick={() => resolveConflict('mine')}>
            {t('memo.keepMine')}
          </button>
        </span>
      )}
    </span>
  );
}
