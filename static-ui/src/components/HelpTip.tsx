//! A small (?) button whose text shows on hover, on keyboard focus and on click, and is read by
//! screen readers as the button's description.

import { useState } from 'preact/hooks';
import { t } from '../i18n';

let counter = 0;

export function HelpTip({ text, id }: { text: string; id?: string }) {
  const [tipId] = useState(() => id ?? `help-${++counter}`);
  const [open, setOpen] = useState(false);
  return (
    <span class="help">
      <button
        type="button"
        class="help-button"
        aria-label={t('app.help')}
        aria-describedby={tipId}
        aria-expanded={open}
        onClick={() => setOpen(!open)}
        onBlur={() => setOpen(false)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') setOpen(false);
        }}
      >
        ?
      </button>
      <span role="tooltip" id={tipId} class={`help-text ${open ? 'open' : ''}`}>
        {text}
      </span>
    </span>
  );
}
