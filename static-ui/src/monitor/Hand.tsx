//! 手上げ on the board: an operator's raised hand is shown in their card's header with how long it
//! has been up, and 聞く listens in to their call in one click (joining lowers the hand; the
//! row's push shows it gone). Without a call there is nothing to listen to: the hand is shown
//! alone, for the supervisor to go over.

import { HandIcon } from '../components/AgentTools';
import { duration } from '../format';
import './hand.css';
import { t } from '../i18n';
import type { BoardOperator } from './api';
import { refreshBoard, secondsSince } from './board';
import { monitorCall, monitorSession } from './session';

export function RaisedHand({ op }: { op: BoardOperator }) {
  if (!op.hand_raised_at) return null;
  const up = secondsSince(op.hand_raised_at);
  const call = op.call;
  const answered = !!call?.answered_at;
  const busy = !!monitorSession.value && monitorSession.value.call === call?.sid;
  return (
    <span class="mon-hand" id={`mon-hand-${op.id}`} role="status">
      <span class="mon-hand-text">
        <HandIcon /> {t('monitor.hand', { time: up === null ? '' : duration(up) })}
      </span>
      {call && (
        <button
          type="button"
          class="small primary mon-hand-listen"
          id={`mon-hand-listen-${op.id}`}
          disabled={!answered || busy}
          title={t('monitor.handListenTitle', { name: op.name })}
          // Joining lowers the hand on the server before it answers: the board is read again so
          // the hand goes at once, whether or not the row's push has arrived.
          onClick={() => void monitorCall(call.sid, 'listen').then(refreshBoard)}
        >
          {t('monitor.handListen')}
        </button>
      )}
    </span>
  );
}
