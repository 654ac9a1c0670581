//! Parts of the operator screen fetched on demand (the screen's first load has a size budget):
//! dialogs opened on a click. Each is preloaded ahead of use — after the first paint when the
//! browser is idle, and where waiting would hurt (the transfer and consultation dialogs while a
//! customer is on hold) as soon as a call is answered — so it opens at once. If its chunk cannot
//! be fetched (the part or its words, ../i18nParts.ts), opening it shows a dialog saying so in Japanese with 再試行, never a blank.

import type { ComponentType } from 'preact';
import { signal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { t, withPartTexts } from '../i18n';
import { Dialog } from './Dialog';

interface PartProps {
  open: boolean;
  onClose: () => void;
  id: string;
  modal?: boolean;
}

export interface LazyPart<P> {
  /** Fetches the part's chunk (once; again after a failure). Never rejects. */
  preload: () => Promise<void>;
  /**
   * The part: once fetched, the component itself (it opens and closes by itself); before, while
   * `open`, a dialog that waits for it or says it could not be fetched and offers to retry
   * (floating over the page when `modal` is false, as the part itself would).
   */
  Part: (props: P & PartProps) => preact.JSX.Element | null;
}

export function lazyPart<P extends object>(load: () => Promise<ComponentType<P>>): LazyPart<P> {
  const Loaded = signal<ComponentType<P> | null>(null);
  const failed = signal(false);
  let pending: Promise<void> | null = null;
  const preload = (): Promise<void> => {
    if (Loaded.peek()) return Promise.resolve();
    if (!pending) {
      failed.value = false;
      pending = withPartTexts(load())
        .then((c) => {
          Loaded.value = c;
        })
        .catch(() => {
          pending = null;
          failed.value = true;
        });
    }
    return pending;
  };
  function Part(props: P & PartProps) {
    const { open, onClose, id, modal = true } = props;
    const C = Loaded.value;
    useEffect(() => {
      // A preload that failed is tried again when the operator opens the part.
      if (open && !C && !pending) void preload();
    }, [open, C]);
    if (C) return <C {...props} />;
    if (!open) return null;
    const bad = failed.value;
    return (
      <Dialog id={`${id}-loading`} open modal={modal} title={t(bad ? 'app.partFailedTitle' : 'app.loading')} onClose={onClose}>
        {bad ? (
          <div class="lazy-failed" role="alert">
            <p class="error-text">{t('app.partFailed')}</p>
            <div class="dialog-buttons">
              <button type="button" class="primary" onClick={() => void preload()}>
                {t('app.retry')}
              </button>
            </div>
          </div>
        ) : (
          <p class="muted" aria-live="polite">
            {t('app.loading')}
          </p>
        )}
      </Dialog>
    );
  }
  return { preload, Part };
}

/** Runs `fn` when the browser is idle after the first paint (at the latest after `ms`). */
export function whenIdle(fn: () => void, ms = 2000): () => void {
  if (typeof requestIdleCallback === 'function') {
    const id = requestIdleCallback(fn, { timeout: ms });
    return () => cancelIdleCallback(id);
  }
  const id = setTimeout(fn, 200);
  return () => clearTimeout(id);
}
