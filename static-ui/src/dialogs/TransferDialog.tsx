//! The transfer dialog (転送): the operators with their statuses (those signed out or on a call
//! cannot take it), warm or cold, and 画面転送 — sending this screen's account, contact,
//! special notes, memo, response status and the inquiry being typed to the target's screen.

import { signal } from '@preact/signals';
import { useEffect, useState } from 'preact/hooks';
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

function load(): void {
  loadError.value = null;
  listOperators()
    .then((ops) => (operators.value = ops))
    .catch((e: unknown) => (loadError.value = errorText(e)));
}

/** Why an operator cannot take a transfer now, or `null`. */
function unavailable(op: Operator): string | null {
  if (op.status === 'offline') return t('transfer.targetOffline');
  if (op.current_call || op.status === 'on_call') return t('transfer.targetBusy');
  return null;
}

const ORDER: Record<string, number> = { available: 0, wrap_up: 1, away: 2, break: 2, on_call: 3, offline: 4 };

export function TransferDialog() {
  const open = transferOpen.value;
  const [to, setTo] = useState<string | null>(null);
  const [mode, setMode] = useState<TransferMode>('warm');
  const [screen, setScreen] = useState(true);
  useEffect(() => {
    if (open) {
      sendError.value = null;
      load();
      return;
    }
    // Reset on closing, not on opening: a choice made right after opening is never undone.
    setTo(null);
    setMode('warm');
    setScreen(true);
    operators.value = null;
  }, [open]);
  const me = currentUser.value?.id;
  const list = (operators.value ?? [])
    .filter((o) => o.id !== me && o.role !== 'admin')
    .sort((a, b) => (ORDER[a.status] ?? 2) - (ORDER[b.status] ?? 2) || a.name.localeCompare(b.name, 'ja'));
  return (
    <Dialog id="transfer-dialog" open={open} title={t('transfer.title')} onClose={() => closeTransfer()}>
      <form
        class="transfer-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!to) {
            sendError.value = t('transfer.chooseTarget');
            return;
          }
          sendError.value = null;
          const target = operators.peek()?.find((o) => o.id === to);
          startTransfer({ id: to, name: target?.name ?? to }, mode, screen).catch((err: unknown) => (sendError.value = errorText(err)));
        }}
      >
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
                <li key={op.id} class={why ? 'unavailable' : ''}>
                  <label>
                    <input
                      type="radio"
                      name="transfer-to"
                      value={op.id}
                      data-operator={op.id}
                      checked={to === op.id}
                      disabled={!!why}
                      onChange={() => setTo(op.id)}
                    />
                    <span class="op-name">{op.name}</span>
                    <span class={`status-pill status-${op.status}`}>{presenceLabel(op.status)}</span>
                    {why && op.status !== 'offline' && <span class="muted op-why">{why}</span>}
                  </label>
                </li>
              );
            })}
          </ul>
        </fieldset>
        <fieldset class="transfer-mode">
          <legend>{t('transfer.mode')}</legend>
          <label>
            <input type="radio" name="transfer-mode" id="transfer-warm" checked={mode === 'warm'} onChange={() => setMode('warm')} />
            <span class="nowrap">{t('transfer.warm')}</span> <span class="muted">{t('transfer.warmHint')}</span>
          </label>
          <label>
            <input type="radio" name="transfer-mode" id="transfer-cold" checked={mode === 'cold'} onChange={() => setMode('cold')} />
            <span class="nowrap">{t('transfer.cold')}</span> <span class="muted">{t('transfer.coldHint')}</span>
          </label>
        </fieldset>
        <label class="transfer-screen">
          <input type="checkbox" id="transfer-screen" checked={screen} onChange={(e) => setScreen(e.currentTarget.checked)} />
          <span class="nowrap">{t('transfer.screen')}</span> <span class="muted">{t('transfer.screenHint')}</span>
        </label>
        <p class="error-text line" id="transfer-error" role={sendError.value ? 'alert' : undefined}>
          {sendError.value ?? ''}
        </p>
        <div class="dialog-buttons">
          <button type="submit" class="primary" id="transfer-start" disabled={working.value}>
            {t('transfer.start')}
          </button>
          <button type="button" onClick={() => closeTransfer()}>
            {t('app.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
