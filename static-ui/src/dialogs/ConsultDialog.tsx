//! The consultation dialog (保留中の外線発信): opens when the customer is put on hold, as the
//! manual says. Type a number, or search a customer to fill it in; 発信 calls them on the chosen
//! line, 切断 hangs them up and the customer stays on hold. It floats over the page, so the
//! operation menu (保留解除, 転送) stays usable.

import { signal } from '@preact/signals';
import { errorText } from '../api/errors';
import { Dialog } from '../components/Dialog';
import { Icon } from '../components/Icon';
import { NumberSearch } from '../components/NumberSearch';
import { nationalPhone } from '../format';
import { t } from '../i18n';
import {
  closeConsult,
  consultNumber,
  consultOpen,
  consultPhase,
  endConsult,
  setConsultNumber,
  startConsult,
  working,
} from '../state/call';
import { selectedLine } from '../state/lines';

const error = signal<string | null>(null);
/** Whose number the search filled in (shown while the number is unchanged). */
const picked = signal<{ number: string; name: string } | null>(null);

async function act(fn: () => Promise<void>): Promise<void> {
  error.value = null;
  try {
    await fn();
  } catch (e) {
    error.value = errorText(e);
  }
}

export function ConsultDialog() {
  const phase = consultPhase.value;
  const line = selectedLine.value;
  return (
    <Dialog
      id="consult-dialog"
      open={consultOpen.value}
      modal={false}
      title={t('consult.title')}
      onClose={() => closeConsult()}
      class="consult-dialog"
    >
      <p class="muted consult-intro">{t('consult.intro', { line: line ? `${line.label}（${nationalPhone(line.number)}）` : '—' })}</p>
      <form
        class="consult-dial"
        onSubmit={(e) => {
          e.preventDefault();
          void act(startConsult);
        }}
      >
        <label for="consult-number">{t('consult.number')}</label>
        <input
          id="consult-number"
          autoFocus
          type="tel"
          autoComplete="off"
          placeholder={t('customer.phonePlaceholder')}
          value={consultNumber.value}
          disabled={phase !== 'idle'}
          onInput={(e) => setConsultNumber(e.currentTarget.value)}
        />
        {phase === 'idle' ? (
          <button type="submit" class="primary" id="consult-dial" disabled={working.value}>
            <Icon name="phone" size={13} /> {t('consult.dial')}
          </button>
        ) : (
          <button type="button" class="danger" id="consult-hangup" disabled={working.value} onClick={() => void act(endConsult)}>
            <Icon name="hangUp" size={13} /> {t('consult.hangUp')}
          </button>
        )}
      </form>
      <p class="consult-who" id="consult-who">
        {picked.value && picked.value.number === consultNumber.value ? picked.value.name : '\u00a0'}
      </p>
      <p class="consult-state" id="consult-state" role="status">
        {phase === 'ringing' ? t('consult.ringing') : phase === 'connected' ? t('consult.connected') : t('consult.idle')}
      </p>
      <p class="consult-search-caption">{t('consult.searchCaption')}</p>
      <NumberSearch
        idPrefix="consult"
        onPick={(number, name) => {
          if (consultPhase.peek() !== 'idle') return;
          setConsultNumber(number);
          picked.value = { number, name };
        }}
      />
      <p class="error-text line" role={error.value ? 'alert' : undefined} id="consult-error">
        {error.value ?? ''}
      </p>
    </Dialog>
  );
}
