//! The incoming-call dialog: the caller's number and the customer it matched (popped up behind
//! it in Customer info), who a transfer comes from and whether it carries a screen transfer, or
//! why the server rings the operator back into their own call. 応答 or 拒否; it cannot just be
//! closed, so a ring is never lost behind the page. It floats above the regions without locking
//! them: the popped-up customer can be read (and scrolled) while it rings.
//!
//! A transfer offered on the live channel opens it before the softphone rings: who hands the
//! call over and how, that the phone is about to ring (or that it cannot, without a connected
//! softphone); 応答 becomes possible with the ring.

import { useEffect } from 'preact/hooks';
import { errorText } from '../api/errors';
import { Dialog } from '../components/Dialog';
import { Icon } from '../components/Icon';
import { nationalPhone } from '../format';
import { t } from '../i18n';
import type { TransferOfferShown } from '../state/call/offer';
import { activeCall, answer, handoff, reject, transferOffer, working } from '../state/call';
import { account, contact, looking, lookupResult } from '../state/customer';
import { say } from '../state/notice';
import { phoneState } from '../state/phone';

function ringBackText(reason: string | undefined): string {
  if (reason === 'transfer_failed') return t('incoming.ringBackTransfer');
  if (reason === 'reconnect') return t('incoming.ringBackReconnect');
  return t('incoming.ringBackRejoin');
}

/** A transfer offered before its ring: who, how, and whether the phone can ring. */
function OfferBody({ offer }: { offer: TransferOfferShown }) {
  const ready = phoneState.value === 'registered';
  return (
    <div class="incoming" id="incoming-offer" data-transfer={offer.transferId}>
      <p class="incoming-note" id="incoming-transfer">
        {t('incoming.transferFrom', {
          name: offer.fromName,
          mode: offer.mode === 'warm' ? t('transfer.warm') : t('transfer.cold'),
        })}
      </p>
      <p class={`incoming-note ${ready ? '' : 'incoming-warn'}`} id="incoming-offer-state" role="status">
        {ready ? t('incoming.offerRinging') : t('incoming.offerNoPhone', { name: offer.fromName })}
      </p>
      <div class="incoming-buttons">
        <button type="button" class="primary answer-button" id="incoming-accept" disabled title={t('incoming.offerWait')}>
          <Icon name="phone" size={14} /> {t('incoming.accept')}
        </button>
      </div>
    </div>
  );
}

export function IncomingDialog() {
  const c = activeCall.value;
  const offer = c ? null : transferOffer.value;
  const ringingLeg = c?.phase === 'ringing' ? c.leg : null;
  // Opened by an offer, the dialog is already shown when the ring comes: 応答 takes the focus
  // then (Enter answers), as it does when the dialog opens with the ring.
  useEffect(() => {
    if (ringingLeg) document.getElementById('incoming-accept')?.focus();
  }, [ringingLeg]);
  if (offer) {
    return (
      <Dialog id="incoming-dialog" open title={t('incoming.transferTitle')} modal={false} dismissable={false} onClose={() => undefined} class="incoming-dialog">
        <OfferBody offer={offer} />
      </Dialog>
    );
  }
  const open = c?.phase === 'ringing';
  const number = c ? (c.customer.startsWith('+') ? nationalPhone(c.customer) : c.customer) : '';
  const matched = lookupResult.value;
  const acc = account.value?.record.title;
  const con = contact.value?.record.title;
  const h = handoff.value;
  const title = !c ? '' : c.kind === 'transfer' ? t('incoming.transferTitle') : c.kind === 'rejoin' ? t('incoming.rejoinTitle') : t('incoming.title');
  return (
    <Dialog id="incoming-dialog" open={open} title={title} modal={false} dismissable={false} onClose={() => undefined} class="incoming-dialog">
      {c && (
        <div class="incoming">
          <p class="incoming-number" id="incoming-number">
            <Icon name="phone" size={18} /> {number || t('call.unknownNumber')}
          </p>
          <dl class="incoming-match" id="incoming-match">
            <div>
              <dt>{t('customer.account')}</dt>
              <dd>{acc ?? (looking.value ? t('customer.looking') : matched ? t('customer.notFound') : '—')}</dd>
            </div>
            <div>
              <dt>{t('customer.contact')}</dt>
              <dd>{con ?? (looking.value ? t('customer.looking') : matched ? t('customer.notFound') : '—')}</dd>
            </div>
          </dl>
          {c.kind === 'transfer' && c.transferFrom && (
            <p class="incoming-note" id="incoming-transfer">
              {t('incoming.transferFrom', {
                name: c.transferFrom.name,
                mode: c.transferFrom.mode === 'warm' ? t('transfer.warm') : t('transfer.cold'),
              })}
              {c.transferFrom.handoffId && (
                <span class="incoming-screen"> {h ? t('incoming.withScreen') : t('incoming.screenLoading')}</span>
              )}
            </p>
          )}
          {c.kind === 'rejoin' && <p class="incoming-note">{ringBackText(c.ringBack)}</p>}
          <div class="incoming-buttons">
            <button
              type="button"
              class="primary answer-button"
              id="incoming-accept"
              autoFocus
              disabled={working.value}
              onClick={() => void answer().catch((e: unknown) => say('error', errorText(e)))}
            >
              <Icon name="phone" size={14} /> {t('incoming.accept')}
            </button>
            <button type="button" class="reject-button" id="incoming-reject" onClick={() => reject()}>
              <Icon name="hangUp" size={14} /> {t('incoming.reject')}
            </button>
          </div>
        </div>
      )}
    </Dialog>
  );
}
