//! The memos of earlier calls that are not stored yet (保存待ち): a count beside the memo's save
//! indicator, opening the list — each memo's start, whether it is tried again by itself, cannot
//! be saved (and why) or was changed by someone else, with what the operator can do about it.

import { useState } from 'preact/hooks';
import { excerpt } from '../format';
import { t } from '../i18n';
import { say } from '../state/notice';
import type { PendingMemo } from '../state/memoOutbox';
import { dropPending, overwritePending, pendingElsewhere, retryPendingNow } from '../state/memoOutbox';

function stateText(p: PendingMemo): string {
  if (p.state === 'waiting') return t('memo.pending.waiting');
  if (p.state === 'conflict') return t('memo.pending.conflict');
  return t('memo.pending.refused', { detail: p.error ?? t('err.internal') });
}

function copy(text: string): void {
  navigator.clipboard.writeText(text).then(
    () => say('ok', t('memo.pending.copied')),
    () => say('error', t('memo.pending.copyFailed')),
  );
}

function Row({ p }: { p: PendingMemo }) {
  return (
    <li class={`pending-memo state-${p.state}`} data-call={p.callSid} data-state={p.state}>
      <span class="pending-memo-text">{excerpt(p.text, 60) || t('memo.pending.empty')}</span>
      <span class="pending-memo-state">{stateText(p)}</span>
      {p.state !== 'waiting' && (
        <span class="pending-memo-actions">
          {p.state === 'conflict' && (
            <button type="button" class="small" onClick={() => overwritePending(p.callSid)}>
              {t('memo.keepMine')}
            </button>
          )}
          <button type="button" class="small" onClick={() => copy(p.text)}>
            {t('memo.pending.copy')}
          </button>
          <button
            type="button"
            class="small"
            onClick={() => {
              if (confirm(t('memo.pending.discardConfirm'))) dropPending(p.callSid);
            }}
          >
            {t('memo.pending.discard')}
          </button>
        </span>
      )}
    </li>
  );
}

export function PendingMemos() {
  const [open, setOpen] = useState(false);
  const list = pendingElsewhere.value;
  if (!list.length) return null;
  const stuck = list.some((p) => p.state !== 'waiting');
  return (
    <span class="pending-memos-wrap">
      <button
        type="button"
        id="pending-memos"
        class={`pending-memos-button small ${stuck ? 'stuck' : ''}`}
        aria-expanded={open}
        aria-controls="pending-memos-list"
        title={t('memo.pending.hint')}
        onClick={() => setOpen(!open)}
      >
        {t(stuck ? 'memo.pending.countStuck' : 'memo.pending.count', { count: list.length })}
      </button>
      {open && (
        <div class="pending-memos" id="pending-memos-list" role="dialog" aria-label={t('memo.pending.title')}>
          <p class="pending-memos-title">{t('memo.pending.title')}</p>
          <ul>
            {list.map((p) => (
              <Row key={p.callSid} p={p} />
            ))}
          </ul>
          <div class="pending-memos-buttons">
            <button type="button" class="small" onClick={() => retryPendingNow()}>
              {t('memo.pending.retry')}
            </button>
            <button type="button" class="small" onClick={() => setOpen(false)}>
              {t('app.close')}
            </button>
          </div>
        </div>
      )}
    </span>
  );
}
