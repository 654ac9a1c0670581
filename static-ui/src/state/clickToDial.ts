//! Click-to-dial: a number shown anywhere on the operator screen (a history row, a record's phone
//! field, a search result's record) is dialled with one click, as 発信応答 would dial it: the
//! number is looked up first (the customer pops up), then the call is placed on the chosen line
//! through the same checks (not in 受付可, the dial-out policy). During a call it goes into the
//! consultation dialog instead when that dialog is waiting for a number.

import { errorText } from '../api/errors';
import { t } from '../i18n';
import { activeCall, consultOpen, consultPhase, setConsultNumber } from './call';
import { lookUp } from './customer';
import { say } from './notice';
import { operations } from './operations';

/** Dials `number` (or fills it in as the consultation's number during a held call). */
export async function clickToDial(number: string, shown: string = number): Promise<void> {
  if (activeCall.peek()) {
    if (consultOpen.peek() && consultPhase.peek() === 'idle') {
      setConsultNumber(shown);
      say('info', t('dial.consultFilled', { number: shown }));
    } else {
      say('warn', t('dial.onCall'));
    }
    return;
  }
  const dial = operations.peek().dialAnswer;
  const before = dial?.disabledReason?.peek();
  if (!dial || before) {
    say('warn', before ?? t('call.noPhone'));
    return;
  }
  await lookUp(number);
  try {
    await dial.run();
  } catch (e) {
    say('error', errorText(e));
  }
}
