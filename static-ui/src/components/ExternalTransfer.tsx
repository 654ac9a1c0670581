//! 外部の番号へ転送: the transfer dialog's choice for an outside number (under その他の転送方法).
//! A transfer to an outside number is warm: it goes through the consultation dialog — call the
//! number on the line you choose, talk, then この相手に転送 hands the customer over.

import { t } from '../i18n';
import { closeTransfer, openConsult } from '../state/call';
import { Icon } from './Icon';

export function ExternalTransferChoice() {
  return (
    <div class="transfer-external">
      <button
        type="button"
        id="transfer-external"
        onClick={() => {
          closeTransfer();
          openConsult();
        }}
      >
        <Icon name="phone" size={12} /> {t('transfer.external')}
      </button>
      <span class="muted">{t('transfer.externalHint')}</span>
    </div>
  );
}
