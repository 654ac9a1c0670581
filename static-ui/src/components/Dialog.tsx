//! A modal dialog on the native `<dialog>` element: focus is trapped and Escape closes it.

import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { t } from '../i18n';

interface Props {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  id?: string;
}

export function Dialog({ open, title, onClose, children, id }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} id={id} class="dialog" aria-labelledby={id ? `${id}-title` : undefined} onClose={onClose}>
      <header class="dialog-head">
        <h2 id={id ? `${id}-title` : undefined}>{title}</h2>
        <button type="button" class="icon-button" onClick={onClose} aria-label={t('app.close')} title={t('app.close')}>
          ×
        </button>
      </header>
      <div class="dialog-body">{children}</div>
    </dialog>
  );
}
