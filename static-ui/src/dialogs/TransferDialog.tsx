//! The transfer dialog (転送), as the manual walks it: with the customer on hold, 転送 opens the
//! list of users and clicking a name starts the transfer (warm: the operator talks to them, then
//! 切断). [画面転送] beside a name does the same and also sends this screen — the account,
//! contact, special notes, memo, response status and the inquiry being typed — to theirs. Only
//! operators who can take a call now (受付可) can be clicked; the others are listed greyed with
//! their status. A blind transfer (the operator leaves at once) is an extra choice under
//! その他の転送方法, where other ways of transferring ({@link transferExtras}) add themselves.

import type { ComponentType } from 'preact';
import { signal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { TransferMode } from '../api/calls';
import { errorText } from '../api/errors';
import type { Operator } from '../api/operators';
import { listOperators } from '../api/operators';
import { currentUser } from '../auth';
import { Dialog } from '../components/Dialog';
import { t } from '../i18n';
import { closeTransfer, startTransfer, transferOpen, working } from '../state/call';
import { presenceLabel } from '../state/presence';

const operators = signal<Operator[] | null>(null);
const loadError = signal<string | null>(null);
const sendError = signal<string | null>(null);
/** The way a click on a name transfers: warm (the manual's), or blind when chosen below. */
const mode = signal<TransferMode>('warm');

/** Other ways of transferring (an external number, say), shown under その他の転送方法. */
export const transferExtras = signal<ComponentType[]>([]);

function load(): void {
  loadError.value = null;
  listOperators()
    .then((ops) => (operators.value = ops))
    .catch((e: unknown) => (loadError.value = errorText(e)));
}

/** Why an operator cannot take a transfer now, or `null`: only 受付可 with no call can. */
function unavailable(op: Operator): string | null {
  if (op.current_call || op.status === 'on_call') return t('transfer.targetBusy');
  if (op.status !== 'available') return t('transfer.targetNotAvailable', { status: presenceLabel(op.status) });
  return null;
}

const ORDER: Record<string, number> = { available: 0, wrap_up: 1, away: 2, break: 2, on_call: 3, offline: 4 };

function transfer(op: Operator, withScreen: boolean): void {
  sendError.value = null;
  startTransfer({ id: op.id, name: op.name }, mode.peek(), withScreen).catch((err: unknown) => (sendError.value = errorText(err)));
}

export function TransferDialog() {
  const open = transferOpen.value;
  useEffect(() => {
    if (open) {
      sendError.value = null;
      mode.value = 'warm';
      load();
      return;
    }
    operators.value = null;
  }, [open]);
  const me = currentUser.value?.id;
  const list = (operators.value ?? [])
    .filter((o) => o.id !== me && o.role !== 'admin')
    .sort((a, b) => (ORDER[a.status] ?? 2) - (ORDER[b.status] ?? 2) || a.name.localeCompare(b.name, 'ja'));
  const cold = mode.value === 'cold';
  const busy = working.value;
  return (
    <Dialog id="transfer-dialog" open={open} title={t('transfer.title')} onClose={() => closeTransfer()}>
      <div class="transfer-form">
        <p class="muted transfer-how" id="transfer-how">
          {cold ? t('transfer.howCold') : t('transfer.how')}
        </p>
        <fieldset class="transfer-targets">
          <legend>
            {t('transfer.to')}
            <button type="button" class="small link-button" id="transfer-reload" onClick={load}>
              {t('transfer.reload')}
            </button>
          </legend>
          {loadError.value && <p class="error-text">{loadError.value}</p>}
          {!operators.value && !loadError.value && <p class="muted">{t('app.loading')}</p>}
          {operators.value && !list.some((o) => !unavailable(o)) && <p class="muted">{t('transfer.nobody')}</p>}
          <ul class="operator-list" id="transfer-operators">
            {list.map((op) => {
              const why = unavailable(op);
              return (
                <li key={op.id} class={why ? 'unavailable' : ''} data-operator={op.id}>
                  <button
                    type="button"
                    class="transfer-to"
                    data-operator={op.id}
                    disabled={!!why || busy}
                    title={why ?? (cold ? t('transfer.toHintCold', { name: op.name }) : t('transfer.toHint', { name: op.name }))}
                    onClick={() => transfer(op, false)}
                  >
                    <span class="op-name">{op.name}</span>
                  </button>
                  <span class={`status-pill status-${op.status}`}>{presenceLabel(op.status)}</span>
                  {why ? (
                    <span class="muted op-why">{why}</span>
                  ) : (
                    <button
                      type="button"
                      class="small transfer-screen"
                      data-operator={op.id}
                      disabled={busy}
                      title={t('transfer.screenHint')}
                      onClick={() => transfer(op, true)}
                    >
                      {t('transfer.screen')}
                    </button>
                  )}
                </li>
              );
            })}
          </ul>
        </fieldset>
        <details class="transfer-more" id="transfer-more">
          <summary>{t('transfer.more')}</summary>
          <label class="transfer-mode">
            <input type="checkbox" id="transfer-cold" checked={cold} onChange={(e) => (mode.value = e.currentTarget.checked ? 'cold' : 'warm')} />
            <span class="nowrap">{t('transfer.cold')}</span> <span class="muted">{t('transfer.coldHint')}</span>
          </label>
          {transferExtras.value.map((Extra, i) => (
            <Extra key={i} />
          ))}
        </details>
        <p class="error-text line" id="transfer-error" role={sendError.value ? 'alert' : undefined}>
          {sendError.value ?? ''}
        </p>
        <div class="dialog-buttons">
          <button type="button" onClick={() => closeTransfer()}>
            {t('app.cancel')}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
