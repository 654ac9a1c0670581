//! Region 2, 操作メニュー: 発信応答, 切断, 保留, 転送, 架電リスト, then where the call is
//! (CallStatus) and the latest news (a refused dial, how a call ended, an action's error). Each
//! button runs the action the call layer registered (state/operations.ts); a disabled button
//! says why in its tooltip and to screen readers. Everything here has a fixed place, so calls
//! coming and going never move the layout.

import { errorText } from '../api/errors';
import type { IconName } from '../components/Icon';
import { Icon } from '../components/Icon';
import { t } from '../i18n';
import { notice, say } from '../state/notice';
import type { OperationId } from '../state/operations';
import { OPERATION_IDS, operations } from '../state/operations';
import { CallStatus } from './CallStatus';

const LABELS: Record<OperationId, Parameters<typeof t>[0]> = {
  dialAnswer: 'ops.dialAnswer',
  hangUp: 'ops.hangUp',
  hold: 'ops.hold',
  transfer: 'ops.transfer',
  callList: 'ops.callList',
  tasks: 'ops.tasks',
};
const ICONS: Record<OperationId, IconName> = {
  dialAnswer: 'phone',
  hangUp: 'hangUp',
  hold: 'pause',
  transfer: 'transfer',
  callList: 'list',
  tasks: 'inbound',
};

export function OperationMenu() {
  const ops = operations.value;
  const news = notice.value;
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
            <span class="op-slot" key={id}>
              <button
                type="button"
                id={`op-${id}`}
                class={`op-button op-${id} ${pressed ? 'pressed' : ''}`}
                disabled={reason !== null}
                title={reason ?? label}
                aria-describedby={reason ? `op-${id}-why` : undefined}
                aria-pressed={pressed === undefined ? undefined : pressed}
                onClick={async () => {
                  try {
                    await op?.run();
                  } catch (e) {
                    say('error', errorText(e));
                  }
                }}
              >
                <Icon name={ICONS[id]} size={15} />
                {label}
              </button>
              {reason && (
                <span id={`op-${id}-why`} class="sr-only">
                  {reason}
                </span>
              )}
            </span>
          );
        })}
      </div>
      <CallStatus />
      <div id="ops-message" class={`ops-message ${news ? `notice-${news.kind}` : ''}`} role={news?.kind === 'error' ? 'alert' : 'status'}>
        <span class="ops-message-text" title={news?.text} key={news?.seq}>
          {news?.text ?? ''}
        </span>
        {news?.action && (
          <button
            type="button"
            class="small"
            id="ops-message-action"
            onClick={async () => {
              try {
                await news.action?.run();
              } catch (e) {
                say('error', errorText(e));
              }
            }}
          >
            {news.action.label}
          </button>
        )}
      </div>
    </nav>
  );
}
