//! The conversation memo panel (会話メモ入力): 対応ステータス, the memo, the 【オペレータ】 and
//! 【お客様】 buttons and their shortcuts Ctrl+Z / Ctrl+X (inserted at the caret, as the manual
//! says), and undo / redo kept reachable through buttons, Ctrl+Shift+Z and Ctrl+Y.

import { useRef } from 'preact/hooks';
import { HelpTip } from '../components/HelpTip';
import { Icon } from '../components/Icon';
import { SaveIndicator } from '../components/SaveIndicator';
import { labelOf, t } from '../i18n';
import { canRedo, canUndo, memoText, redo, responseStatus, setMemoText, setResponseStatus, undo } from '../state/memo';
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
    const start = el.selectionStart ?? el.value.length;
    const end = el.selectionEnd ?? start;
    const text = el.value.slice(0, start) + label + el.value.slice(end);
    setMemoText(text, start, 'insert');
    place(el, text, start + label.length);
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
        aria-describedby="memo-help"
        onKeyDown={onKeyDown}
        onInput={(e) => {
          const el = e.currentTarget;
          const delta = el.value.length - memoText.peek().length;
          setMemoText(el.value, Math.max(0, (el.selectionStart ?? 0) - Math.max(0, delta)), 'typing');
        }}
      />
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
