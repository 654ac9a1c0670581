//! The consultation dialog (保留中の外線発信): opens when the customer is put on hold, as the
//! manual says. Type a number, or search a customer to fill it in; choose the line it goes out
//! on ("on another line": the information bar's line first); 発信 calls them, 切断 hangs them up
//! and the customer stays on hold. A number in a country the admin has not allowed, or a
//! premium-rate one, is refused before anything is dialled. It floats over the page, so the
//! operation menu (保留解除, 転送) stays usable.

import { signal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { errorText } from '../api/errors';
import { Dialog } from '../components/Dialog';
import { ExternalTransferChoice } from '../components/ExternalTransfer';
import { Icon } from '../components/Icon';
import { NumberSearch } from '../components/NumberSearch';
import { nationalPhone } from '../format';
import { labelOf, t } from '../i18n';
import {
  closeConsult,
  consultNumber,
  consultOpen,
  consultPhase,
  endConsult,
  handOverToConsulted,
  handOverToNumber,
  setConsultNumber,
  startConsult,
  working,
} from '../state/call';
import { selectedLine } from '../state/lines';
import { settings } from '../state/settings';
import { transferExtras } from './TransferDialog';

// The transfer dialog offers an outside number under その他の転送方法: it leads here.
transferExtras.value = [...transferExtras.value.filter((c) => c !== ExternalTransferChoice), ExternalTransferChoice];

const error = signal<string | null>(null);
/** The line chosen in this dialog (`null`: the information bar's). */
const chosenLine = signal<string | null>(null);
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
  const open = consultOpen.value;
  const lines = settings.value?.lines ?? [];
  const line = lines.find((l) => l.id === chosenLine.value) ?? selectedLine.value;
  // Each hold starts from the information bar's line.
  useEffect(() => {
    if (open) chosenLine.value = null;
  }, [open]);
  return (
    <Dialog
      id="consult-dialog"
      open={consultOpen.value}
      modal={false}
      title={t('consult.title')}
      onClose={() => closeConsult()}
      class="consult-dialog"
    >
      <p class="muted consult-intro">{t('consult.intro', { line: line ? `${labelOf(line)}（${nationalPhone(line.number)}）` : '—' })}</p>
      <div class="consult-line">
        <label for="consult-line">{t('consult.line')}</label>
        <select
          id="consult-line"
          value={line?.id ?? ''}
          disabled={phase !== 'idle' || lines.length < 2}
          onChange={(e) => (chosenLine.value = e.currentTarget.value)}
        >
          {lines.map((l) => (
            <option key={l.id} value={l.id}>
              {`${labelOf(l)}（${nationalPhone(l.number)}）`}
            </option>
          ))}
        </select>
      </div>
      <form
        class="consult-dial"
        onSubmit={(e) => {
          e.preventDefault();
          void act(() => startConsult(line?.id));
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
      {phase === 'idle' && (
        <div class="consult-handover consult-cold">
          <button
            type="button"
            id="consult-cold"
            disabled={working.value || !consultNumber.value.trim()}
            onClick={() => void act(() => handOverToNumber(line?.id))}
          >
            <Icon name="transfer" size={13} /> {t('consult.coldHandOver')}
          </button>
          <span class="muted">{t('consult.coldHandOverHint')}</span>
        </div>
      )}
      <p class="consult-who" id="consult-who">
        {picked.value && picked.value.number === consultNumber.value ? picked.value.name : '\u00a0'}
      </p>
      <p class="consult-state" id="consult-state" role="status">
        {phase === 'ringing' ? t('consult.ringing') : phase === 'connected' ? t('consult.connected') : t('consult.idle')}
      </p>
      {phase === 'connected' && (
        <div class="consult-handover">
          <button type="button" id="consult-handover" disabled={working.value} onClick={() => void act(handOverToConsulted)}>
            <Icon name="transfer" size={13} /> {t('consult.handOver')}
          </button>
          <span class="muted">{t('consult.handOverHint')}</span>
        </div>
      )}
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
