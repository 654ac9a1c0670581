//! The operator screen's global keyboard shortcuts and their help. The admin's combinations for
//! answer, hang-up, hold, mute and transfer work wherever the focus is (typing a memo included:
//! they always carry Ctrl, Alt or Meta, or are function keys); `?` outside a text field opens
//! the list, which also names the memo's own keys (./ShortcutsHelp.tsx, fetched when needed).

import { useEffect } from 'preact/hooks';
import { actionOf, comboOf, helpOpen, runShortcut } from '../state/shortcuts';
import { HelpPart } from './LazyDialogs';

/** Whether the key press is typing into a field (where `?` is a character, not the help). */
function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || target.matches('input:not([type=checkbox]):not([type=radio]):not([type=button]), textarea, select');
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
  return <HelpPart id="shortcut-help" open={helpOpen.value} onClose={() => (helpOpen.value = false)} />;
}
