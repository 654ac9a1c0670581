//! The keypad of a connected call: touch tones (DTMF) for the far end's voice menu. A small
//! popover under the call status; the keys also take typing (0–9, *, #) and Escape closes it.

import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText } from '../api/errors';
import { t } from '../i18n';
import { sendDigits } from '../state/call';
import { say } from '../state/notice';

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];

export function Keypad() {
  const [open, setOpen] = useState(false);
  const [sent, setSent] = useState('');
  const pad = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (open) pad.current?.querySelector<HTMLButtonElement>('button')?.focus();
    else setSent('');
  }, [open]);
  const press = (k: string) => {
    try {
      sendDigits(k);
      setSent((s) => (s + k).slice(-20));
    } catch (e) {
      say('error', errorText(e));
    }
  };
  return (
    <span class="keypad-wrap">
      <button
        type="button"
        class={`small ${open ? 'pressed' : ''}`}
        id="call-keypad"
        aria-expanded={open}
        aria-controls="keypad"
        title={t('status.keypadHint')}
        onClick={() => setOpen(!open)}
      >
        {t('status.keypad')}
      </button>
      {open && (
        <div
          class="keypad"
          id="keypad"
          ref={pad}
          role="group"
          aria-label={t('status.keypadHint')}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setOpen(false);
            else if (KEYS.includes(e.key)) {
              e.preventDefault();
              press(e.key);
            }
          }}
        >
          {KEYS.map((k) => (
            <button type="button" key={k} data-key={k} onClick={() => press(k)}>
              {k}
            </button>
          ))}
          <span class="keypad-sent" role="status">
            {sent ? t('status.keypadSent', { digits: sent }) : ''}
          </span>
        </div>
      )}
    </span>
  );
}
