//! Region 2, 操作メニュー: 発信応答, 切断, 保留, 転送, 架電リスト. Each button runs the action the
//! phone layer registered (state/operations.ts); without one it is disabled, and the reason is
//! written under the menu (not only in a tooltip, which a disabled button may not show).

import { signal } from '@preact/signals';
import { errorText } from '../api/errors';
import type { IconName } from '../components/Icon';
import { Icon } from '../components/Icon';
import { t } from '../i18n';
import type { OperationId } from '../state/operations';
import { OPERATION_IDS, operations } from '../state/operations';

const LABELS: Record<OperationId, Parameters<typeof t>[0]> = {
  dialAnswer: 'ops.dialAnswer',
  hangUp: 'ops.hangUp',
  hold: 'ops.hold',
  transfer: 'ops.transfer',
  callList: 'ops.callList',
};
const ICONS: Record<OperationId, IconName> = {
  dialAnswer: 'phone',
  hangUp: 'hangUp',
  hold: 'pause',
  transfer: 'transfer',
  callList: 'list',
};

const lastError = signal<string | null>(null);

export function OperationMenu() {
  const ops = operations.value;
  const missing = OPERATION_IDS.filter((id) => !ops[id]);
  return (
    <nav id="region-ops" class="region region-ops" aria-label={t('region.ops')}>
      <h2 class="sr-only">{t('region.ops')}</h2>
      <div class="ops-buttons">
        {OPERATION_IDS.map((id) => {
          const op = ops[id];
          const reason = op ? (op.disabledReason?.value ?? null) : t('ops.notReady');
          const pressed = op?.pressed?.value;
          const label = id === 'hold' && pressed ? t('ops.unhold') : t(LABELS[id]);
          return (
            <button
              type="button"
              key={id}
              id={`op-${id}`}
              class={`op-button op-${id}`}
              disabled={reason !== null}
              title={reason ?? label}
              aria-describedby={reason ? 'ops-reason' : undefined}
              aria-pressed={pressed === undefined ? undefined : pressed}
              onClick={async () => {
                lastError.value = null;
                try {
                  await op?.run();
                } catch (e) {
                  lastError.value = errorText(e);
                }
              }}
            >
              <Icon name={ICONS[id]} size={15} />
              {label}
            </button>
          );
        })}
      </div>
      <p id="ops-reason" class="ops-reason" role="status">
        {lastError.value ?? (missing.length > 0 ? t('ops.notReady') : '')}
      </p>
    </nav>
  );
}
