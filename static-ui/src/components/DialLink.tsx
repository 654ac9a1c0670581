//! A phone number shown as a button that dials it (click-to-dial); `compact` shows the handset
//! alone, for a table row that already names the call.

import { t } from '../i18n';
import { clickToDial } from '../state/clickToDial';
import { Icon } from './Icon';

interface Props {
  /** The number to dial (E.164 or as written). */
  number: string;
  /** How it reads on screen. */
  shown?: string;
  compact?: boolean;
  id?: string;
}

export function DialLink({ number, shown = number, compact = false, id }: Props) {
  const title = t('dial.title', { number: shown });
  return (
    <button
      type="button"
      id={id}
      class={`dial-link ${compact ? 'compact' : ''}`}
      title={title}
      aria-label={title}
      data-number={number}
      onClick={(e) => {
        e.stopPropagation();
        void clickToDial(number, shown);
      }}
      onKeyDown={(e) => e.stopPropagation()}
    >
      <Icon name="phone" size={12} />
      {!compact && <span class="dial-link-number">{shown}</span>}
    </button>
  );
}
