//! The help of the operator screen's keyboard shortcuts (`?`), fetched the first time it is
//! needed (see ./lazy.tsx): the shortcuts themselves are listened for by ./Shortcuts.tsx.

import { t } from '../i18n';
import { ACTIONS, actionLabel, helpOpen, shortcuts } from '../state/shortcuts';
import { Dialog } from './Dialog';

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

export function ShortcutsHelp() {
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
