//! The frame of one of the six regions: a numbered heading and a scrolling body, so content
//! never changes the page's layout.

import type { ComponentChildren } from 'preact';

interface Props {
  id: string;
  no: number;
  title: string;
  /** Controls shown at the right of the heading. */
  actions?: ComponentChildren;
  children: ComponentChildren;
  class?: string;
  busy?: boolean;
}

export function Region({ id, no, title, actions, children, class: cls, busy }: Props) {
  return (
    <section id={id} class={`region ${cls ?? ''}`} aria-labelledby={`${id}-title`} aria-busy={busy ? 'true' : 'false'}>
      <header class="region-head">
        <h2 id={`${id}-title`}>
          <span class="region-no" aria-hidden="true">
            {no}
          </span>
          {title}
        </h2>
        {actions && <div class="region-actions">{actions}</div>}
      </header>
      <div class="region-body">{children}</div>
    </section>
  );
}
