//! The console's keyboard shortcuts: the combinations the admin set (settings `shortcuts`), how a
//! key press is written as one (`Ctrl+Alt+A`, `F9`), and what each action does on the operator
//! screen. Combinations are read from the physical key (`KeyboardEvent.code`), so they work with
//! the Japanese input method on and with any keyboard layout.

import { computed, signal } from '@preact/signals';
import type { components } from '../api/schema.gen';
import { errorText } from '../api/errors';
import type { MessageKey } from '../i18n';
import { t } from '../i18n';
import { activeCall, toggleMute } from './call';
import { say } from './notice';
import type { OperationId } from './operations';
import { operations } from './operations';
import { settings } from './settings';

export type Shortcuts = components['schemas']['Shortcuts'];
export type ShortcutAction = keyof Shortcuts;

/** The actions, in the order the help lists them. */
export const ACTIONS: readonly ShortcutAction[] = ['answer', 'hang_up', 'hold', 'mute', 'transfer'];

/** The server's defaults, for settings saved before shortcuts existed. */
export const DEFAULT_SHORTCUTS: Shortcuts = {
  answer: 'Ctrl+Alt+A',
  hang_up: 'Ctrl+Alt+E',
  hold: 'Ctrl+Alt+H',
  mute: 'Ctrl+Alt+M',
  transfer: 'Ctrl+Alt+T',
};

/** The combinations in force. */
export const shortcuts = computed<Shortcuts>(() => settings.value?.shortcuts ?? DEFAULT_SHORTCUTS);

/** Whether the shortcut help is open. */
export const helpOpen = signal(false);

/** A key press written as a combination, or `null` for a key that cannot be one. */
export function comboOf(e: Pick<KeyboardEvent, 'code' | 'ctrlKey' | 'altKey' | 'shiftKey' | 'metaKey'>): string | null {
  let key: string | null = null;
  const letter = /^Key([A-Z])$/.exec(e.code);
  const digit = /^(?:Digit|Numpad)([0-9])$/.exec(e.code);
  if (letter) key = letter[1];
  else if (digit) key = digit[1];
  else if (/^F([1-9]|1[0-2])$/.test(e.code)) key = e.code;
  if (!key) return null;
  const mods = [e.ctrlKey && 'Ctrl', e.altKey && 'Alt', e.shiftKey && 'Shift', e.metaKey && 'Meta'].filter(Boolean);
  return [...mods, key].join('+');
}

/** The action a combination runs, if any. */
export function actionOf(combo: string, set: Shortcuts = shortcuts.peek()): ShortcutAction | null {
  return ACTIONS.find((a) => set[a] !== '' && set[a] === combo) ?? null;
}

/** Runs an operation of the menu as its button would, or says why it cannot run now. */
function runOperation(id: OperationId): void {
  const op = operations.peek()[id];
  const why = op?.disabledReason?.peek();
  if (!op || why) {
    say('warn', why ?? t('keys.noCall'));
    return;
  }
  Promise.resolve()
    .then(() => op.run())
    .catch((e: unknown) => say('error', errorText(e)));
}

/** Runs a shortcut's action. */
export function runShortcut(action: ShortcutAction): void {
  const c = activeCall.peek();
  switch (action) {
    case 'answer':
      if (c?.phase !== 'ringing') say('info', t('keys.noRinging'));
      else runOperation('dialAnswer');
      return;
    case 'hang_up':
      runOperation('hangUp');
      return;
    case 'hold':
      runOperation('hold');
      return;
    case 'transfer':
      runOperation('transfer');
      return;
    case 'mute':
      if (!c?.leg || c.phase === 'ringing') {
        say('info', t('keys.noCall'));
        return;
      }
      try {
        toggleMute();
      } catch (e) {
        say('error', errorText(e));
      }
      return;
  }
}

/** The label of an action in the help. */
export const actionLabel = (a: ShortcutAction) => t(`keys.${a}` as MessageKey);
