//! The conversation memo panel (会話メモ入力): 対応ステータス, the memo, the 【オペレータ】 and
//! 【お客様】 buttons and their shortcuts Ctrl+Z / Ctrl+X (inserted at the caret, as the manual
//! says), and undo / redo kept reachable through buttons, Ctrl+Shift+Z and Ctrl+Y. A counter
//! under the memo shows its length against the 10,000 characters a memo holds; at the limit
//! input stops and the reason is written beside the counter.

import { useRef } from 'preact/hooks';
import { HelpTip } from '../components/HelpTip';
import { Icon } from '../components/Icon';
import { PendingMemos } from '../components/PendingMemos';
import { SaveIndicator } from '../components/SaveIndicator';
import { labelOf, t } from '../i18n';
import {
  MEMO_MAX_CHARS,
  canRedo,
  canUndo,
  flushMemo,
  memoChars,
  memoClipped,
  memoText,
  redo,
  responseStatus,
  setMemoText,
  setResponseStatus,
  undo,
} from '../state/memo';
import { settings } from '../state/settings';

export const OPERATOR_LABEL = '【オペレータ】';
export const CUSTOMER_LABEL = '【お客様】';

export function MemoPanel() {
  const ref = useRef<HTMLTextAreaElement>(null);

  const place = (el: HTMLTextAreaElement, text: string, caret: number) => {
    el.value = text;
    el.focus();
    el.setSelectionRange(caret, caret);
  };

  const insert = (label: string) => {
    const el = ref.current;
    if (!el) return;
    // After a selection, never over it: Ctrl+X is the manual's 【お客様】, and selected words
    // are not cut away by it.
    const at = el.selectionEnd ?? el.value.length;
    const text = el.value.slice(0, at) + label + el.value.slice(at);
    const applied = setMemoText(text, at, 'insert');
    if (applied === text) place(el, text, at + label.length);
    else place(el, applied, at);
  };

  const doUndo = () => {
    const el = ref.current;
    if (!el) return;
    const caret = undo(el.selectionStart ?? 0);
    if (caret !== null) place(el, memoText.peek(), Math.min(caret, memoText.peek().length));
  };

  const doRedo = () => {
    const el = ref.current;
    if (!el) return;
    const caret = redo(el.selectionStart ?? 0);
    if (caret !== null) place(el, memoText.peek(), Math.min(caret, memoText.peek().length));
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (!e.ctrlKey || e.altKey || e.metaKey || e.isComposing) return;
    const key = e.key.toLowerCase();
    const z = key === 'z' || e.code === 'KeyZ';
    const x = key === 'x' || e.code === 'KeyX';
    const y = key === 'y' || e.code === 'KeyY';
    if (z && e.shiftKey) {
      e.preventDefault();
      doUndo();
    } else if (z) {
      e.preventDefault();
      insert(OPERATOR_LABEL);
    } else if (x && !e.shiftKey) {
      e.preventDefault();
      insert(CUSTOMER_LABEL);
    } else if (y && !e.shiftKey) {
      e.preventDefault();
      doRedo();
    }
  };

  const statuses = settings.value?.response_statuses ?? [];
  return (
    <div class="memo-panel" id="memo-panel">
      <div class="memo-head">
        <h3 class="memo-title">{t('memo.title')}</h3>
        <PendingMemos />
        <SaveIndicator />
      </div>
      <div class="memo-status-row">
        <label for="memo-status">{t('memo.status')}</label>
        <select
          id="memo-status"
          value={responseStatus.value ?? ''}
          onChange={(e) => setResponseStatus(e.currentTarget.value || null)}
        >
          <option value="">{t('memo.statusNone')}</option>
          {statuses.map((s) => (
            <option key={s.id} value={s.id}>
              {labelOf(s)}
            </option>
          ))}
          {responseStatus.value && !statuses.some((s) => s.id === responseStatus.value) && (
            <option value={responseStatus.value}>{responseStatus.value}</option>
          )}
        </select>
      </div>
      <label for="memo-text" class="sr-only">
        {t('memo.text')}
      </label>
      <textarea
        id="memo-text"
        ref={ref}
        value={memoText.value}
        aria-describedby="memo-count memo-limit memo-help"
        maxLength={MEMO_MAX_CHARS}
        onKeyDown={onKeyDown}
        onBlur={() => void flushMemo()}
        onInput={(e) => {
          const el = e.currentTarget;
          const typed = el.value;
          const delta = typed.length - memoText.peek().length;
          const caret = el.selectionStart ?? typed.length;
          const applied = setMemoText(typed, Math.max(0, caret - Math.max(0, delta)), 'typing');
          if (applied !== typed) {
            // Cut at the limit: the box shows what the memo holds, the caret after what fitted.
            el.value = applied;
            const at = Math.max(0, Math.min(applied.length, caret - (typed.length - applied.length)));
            el.setSelectionRange(at, at);
          }
        }}
      />
      <MemoLimit />
      <div class="memo-buttons">
        <button type="button" id="memo-insert-operator" title={t('memo.operatorHint')} onClick={() => insert(OPERATOR_LABEL)}>
          {t('memo.operator')}
        </button>
        <button type="button" id="memo-insert-customer" title={t('memo.customerHint')} onClick={() => insert(CUSTOMER_LABEL)}>
          {t('memo.customer')}
        </button>
        <span class="memo-spacer" />
        <button type="button" id="memo-undo" class="small" disabled={!canUndo.value} title={t('memo.undoHint')} onClick={doUndo}>
          <Icon name="undo" size={12} /> {t('memo.undo')}
        </button>
        <button
          type="button"
          id="memo-redo"
          class="small icon-only"
          disabled={!canRedo.value}
          title={t('memo.redoHint')}
          aria-label={t('memo.redo')}
          onClick={doRedo}
        >
          <Icon name="redo" size={12} />
        </button>
        <HelpTip id="memo-help" text={t('memo.help')} />
      </div>
    </div>
  );
}

/** The memo's length against the limit, and at the limit why nothing more goes in. */
function MemoLimit() {
  const chars = memoChars.value;
  // The box stops at MEMO_MAX_CHARS UTF-16 units, which is the limit or a little before it.
  const full = chars >= MEMO_MAX_CHARS || memoText.value.length >= MEMO_MAX_CHARS || memoClipped.value;
  const over = chars - MEMO_MAX_CHARS;
  const near = chars >= MEMO_MAX_CHARS * 0.9;
  return (
    <div class={`memo-limit-row${full ? ' full' : near ? ' near' : ''}`}>
      {full && (
        <p id="memo-limit" class="memo-limit" role="status">
          {over > 0
            ? t('memo.limit.over', { max: MEMO_MAX_CHARS.toLocaleString(), over: over.toLocaleString() })
            : t('memo.limit.full', { max: MEMO_MAX_CHARS.toLocaleString() })}
        </p>
      )}
      <span id="memo-count" class="memo-count" aria-label={t('memo.limit.count', { count: chars.toLocaleString(), max: MEMO_MAX_CHARS.toLocaleString() })}>
        {chars.toLocaleString()} / {MEMO_MAX_CHARS.toLocaleString()}
      </span>
    </div>
  );
}
