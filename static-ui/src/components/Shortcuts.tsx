//! The operator screen's global keyboard shortcuts and their help. The admin's combinations for
//! answer, hang-up, hold, mute and transfer work wherever the focus is (typing a memo included:
//! they always carry Ctrl, Alt or Meta, or are function keys); `?` outside a text field opens
//! the list, which also names the memo's own keys.

import { useEffect } from 'preact/hooks';
import { t } from '../i18n';
import { ACTIONS, actionLabel, actionOf, comboOf, helpOpen, runShortcut, shortcuts } from '../state/shortcuts';
import { Dialog } from './Dialog';

/** Whether the key press is typing into a field (where `?` is a character, not the help). */
function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || target.matches('input:not([type=checkbox]):not([type=radio]):not([type=button]), textarea, select');
}

function Keys({ combo }: { combo: string }) {
  if (!combo) return <span class="muted">{t('keys.off')}</span>;
  const parts = combo.split('+');
  return (
    <span class="keys">
      {parts.map((p, i) => (
        <span key={i}>
          {i > 0 && '+'}
          <kbd>{p}</kbd>
        </span>
      ))}
    </span>
  );
}

/** Listens for the shortcuts while the operator screen is shown, and renders the help. */
export function Shortcuts() {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.isComposing || e.repeat) return;
      const combo = comboOf(e);
      const action = combo ? actionOf(combo) : null;
      if (action) {
        e.preventDefault();
        e.stopPropagation();
        runShortcut(action);
        return;
      }
      if (e.key === '?' && !e.ctrlKey && !e.altKey && !e.metaKey && !typing(e.target)) {
        e.preventDefault();
        helpOpen.value = !helpOpen.peek();
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);
  const set = shortcuts.value;
  return (
    <Dialog id="shortcut-help" open={helpOpen.value} title={t('keys.title')} onClose={() => (helpOpen.value = false)}>
      <table class="shortcut-table">
        <tbody>
          {ACTIONS.map((a) => (
            <tr key={a} data-action={a}>
              <th scope="row">{actionLabel(a)}</th>
              <td>
                <Keys combo={set[a]} />
              </td>
            </tr>
          ))}
          <tr data-action="help">
            <th scope="row">{t('keys.help')}</th>
            <td>
              <Keys combo="?" />
            </td>
          </tr>
          <tr data-action="memo-operator">
            <th scope="row">{t('keys.memoOperator')}</th>
            <td>
              <Keys combo="Ctrl+Z" />
            </td>
          </tr>
          <tr data-action="memo-customer">
            <th scope="row">{t('keys.memoCustomer')}</th>
            <td>
              <Keys combo="Ctrl+X" />
            </td>
          </tr>
        </tbody>
      </table>
      <p class="muted shortcut-note" id="shortcut-memo-note">{t('keys.memoNote')}</p>
      <p class="muted shortcut-note">{t('keys.admin')}</p>
    </Dialog>
  );
}
