//! A dialog on the native `<dialog>` element. Modal by default (focus is trapped, Escape closes
//! it); `modal={false}` floats it over the page so the rest stays usable (the consultation
//! dialog during hold); `dismissable={false}` keeps it open until one of its own buttons is used
//! (an incoming call is answered or declined, never just closed).

import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { t } from '../i18n';

interface Props {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  id?: string;
  modal?: boolean;
  dismissable?: boolean;
  class?: string;
}

export function Dialog({ open, title, onClose, children, id, modal = true, dismissable = true, class: cls }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      if (modal) d.showModal();
      else d.show();
    }
    if (!open && d.open) d.close();
  }, [open, modal]);
  return (
    <dialog
      ref={ref}
      id={id}
      class={`dialog ${modal ? '' : 'dialog-float'} ${cls ?? ''}`}
      aria-labelledby={id ? `${id}-title` : undefined}
      onCancel={(e) => {
        if (!dismissable) e.preventDefault();
      }}
      onKeyDown={(e) => {
        // A floating dialog is not closed by the browser on Escape.
        if (!modal && dismissable && e.key === 'Escape') onClose();
      }}
      onClose={() => {
        if (open) onClose();
      }}
    >
      <header class="dialog-head">
        <h2 id={id ? `${id}-title` : undefined}>{title}</h2>
        {dismissable && (
          <button type="button" class="icon-button" onClick={onClose} aria-label={t('app.close')} title={t('app.close')}>
            ×
          </button>
        )}
      </header>
      <div class="dialog-body">{children}</div>
    </dialog>
  );
}
