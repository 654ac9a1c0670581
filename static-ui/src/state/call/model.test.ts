// The call model's transitions without a browser: each test drives a fresh model the way the
// phone's events, the live-state follower and the operator's actions do, with a recording page
// behind it, and checks the call's state and what the page was told to do.
import { describe, expect, it } from 'vitest';
import type { Handoff, LiveCall, LiveCallRecord, Participant, Transfer } from '../../api/calls';
import { nationalPhone } from '../../format';
import { t } from '../../i18n';
import type { CallEffects } from './effects';
import { CallModel, CallRefused } from './model';
import type { Call } from './model';

const ME = 'op-sato';
const SID = 'CA0001';
const LEG = 'CLleg1';
const YAMADA = '+81312345678';

/** A page that records what the call asked of it. */
function recordingPage() {
  const did: unknown[][] = [];
  const notices: { kind: string; text: string }[] = [];
  let clock = 1_700_000_000_000;
  const shown = new Set<string>();
  const effects: CallEffects = {
    me: () => ME,
    now: () => clock,
    notice: {
      say: (kind, text) => notices.push({ kind, text }),
      clear: () => did.push(['notice.clear']),
    },
    customer: {
      popUp: (number, sid, chosen) => did.push(['popUp', number, sid, chosen ?? {}]),
      shows: (number) => shown.has(number),
      link: (sid) => did.push(['link', sid]),
    },
    memo: {
      start: (sid, how, screen) => did.push(['memo.start', sid, how, screen]),
      takeOver: (sid, screen) => did.push(['memo.takeOver', sid, screen]),
      release: () => did.push(['memo.release']),
    },
    entry: {
      screenArrived: (h, from) => did.push(['screenArrived', h.id, from]),
      handedOver: (draft) => did.push(['handedOver', draft]),
    },
    presence: { changed: () => did.push(['presence.changed']), available: () => false },
    history: { changed: (delay) => did.push(['history.changed', delay]) },
    phone: { drop: (leg) => did.push(['phone.drop', leg]), decline: (leg) => did.push(['phone.decline', leg]) },
    live: { follow: (sid) => did.push(['follow', sid]), unfollow: () => did.push(['unfollow']) },
  };
  const call: Call = new CallModel(() => effects);
  return {
    call,
    did,
    notices,
    shown,
    lastNotice: () => notices[notices.length - 1],
    advance(ms: number) {
      clock += ms;
    },
    now: () => clock,
  };
}

/** A conference participant as the live state reports it. */
function participant(label: Participant['label'], state: Participant['state'] = 'joined'): Participant {
  return { label, state, call_sid: `CL-${label}`, hold: false, muted: false, at: '2024-05-01T09:57:30Z' };
}

function liveCall(record: Partial<LiveCallRecord> = {}, rest: Partial<LiveCall> = {}): LiveCall {
  return {
    call: {
      sid: SID,
      direction: 'inbound',
      customer: YAMADA,
      status: 'in_progress',
      operator_id: ME,
      started_at: '2024-05-01T09:57:00Z',
      ...record,
    },
    participants: [participant('customer'), participant('operator')],
    customer_held: false,
    held: [],
    operator_label: 'operator',
    consult_in_progress: false,
    transfer_in_progress: false,
    transfer: null,
    orphaned_since: null,
    reconnecting: false,
    ...rest,
  };
}

function transferTo(name: string, state: Transfer['state'], mode: Transfer['mode'] = 'warm'): Transfer {
  return {
    id: 'TR1',
    mode,
    state,
    to_operator: 'op-tanaka',
    to_name: name,
    from_operator: ME,
    from_name: '佐藤 花子',
    from_left: false,
    by: ME,
    from_label: 'operator',
    to_label: 'transfer',
    started_at: '2024-05-01T10:00:00Z',
    ring_until: '2024-05-01T10:00:30Z',
  };
}

/** Given: an incoming call answered on this page. */
function answeredCall() {
  const page = recordingPage();
  page.call.ring(LEG, YAMADA, { callSid: SID, customer: YAMADA });
  page.call.answered(LEG);
  page.did.length = 0;
  return page;
}

describe('an incoming call', () => {
  it('rings with the customer popped up, and answered it is followed and its memo starts', () => {
    const page = recordingPage();

    const next = page.call.ring(LEG, YAMADA, { callSid: SID, customer: YAMADA });

    expect(next).toEqual({ then: 'nothing' });
    expect(page.call.state.value).toMatchObject({ phase: 'ringing', kind: 'call', sid: SID, leg: LEG, customer: YAMADA });
    expect(page.did).toContainEqual(['popUp', YAMADA, SID, {}]);

    page.call.answered(LEG);

    expect(page.call.state.value).toMatchObject({ phase: 'connected', connectedAt: page.now(), legUp: true });
    expect(page.did).toContainEqual(['follow', SID]);
    expect(page.did).toContainEqual(['memo.start', SID, 'answered', null]);
    expect(page.did).toContainEqual(['presence.changed']);
  });

  it('is held and taken off hold, and a live state lagging behind the hold does not undo it', () => {
    const page = answeredCall();

    expect(page.call.holdAsked()).toBe(true);
    page.call.held(SID);
    expect(page.call.state.value.phase).toBe('held');
    expect(page.call.consult.open.value).toBe(true);

    // A read from before the hold reached the server still shows the customer off hold.
    page.advance(1000);
    page.call.followed(liveCall({}, { customer_held: false }));
    expect(page.call.state.value.phase).toBe('held');

    expect(page.call.holdAsked()).toBe(false);
    page.call.unheld(SID);
    expect(page.call.state.value.phase).toBe('connected');
    expect(page.call.consult.open.value).toBe(false);

    // Once the trust runs out, the server's record wins.
    page.advance(10_000);
    page.call.followed(liveCall({}, { customer_held: true }));
    expect(page.call.state.value.phase).toBe('held');
  });

  it('ends when the live state says so: idle again, the operator told, the history read again', () => {
    const page = answeredCall();

    page.call.followed(liveCall({ status: 'completed', ended_at: '2024-05-01T10:05:00Z' }));

    expect(page.call.state.value).toEqual({ phase: 'idle' });
    expect(page.call.activeCall.value).toBeNull();
    expect(page.call.live.value).toBeNull();
    expect(page.lastNotice()).toEqual({ kind: 'info', text: t('call.ended', { party: nationalPhone(YAMADA) }) });
    expect(page.did).toContainEqual(['phone.drop', LEG]);
    expect(page.did).toContainEqual(['unfollow']);
    expect(page.did).toContainEqual(['history.changed', 300]);
  });

  it('that stops ringing before it is answered is missed', () => {
    const page = recordingPage();
    page.call.ring(LEG, YAMADA, { callSid: SID });

    expect(page.call.legGone(LEG, 'cancelled')).toBe('settled');

    expect(page.call.state.value.phase).toBe('idle');
    expect(page.lastNotice()).toEqual({ kind: 'info', text: t('call.missed') });
    expect(page.did).not.toContainEqual(['phone.drop', LEG]);
  });

  it('ringing while the operator is on another call is declined and changes nothing', () => {
    const page = answeredCall();
    const before = page.call.state.value;

    page.call.ring('CLother', '+81300000000', { callSid: 'CA0002' });

    expect(page.did).toContainEqual(['phone.decline', 'CLother']);
    expect(page.call.state.value).toBe(before);
  });

  it('cannot be held while it rings: the hold is refused with the reason and nothing changes', () => {
    const page = recordingPage();
    page.call.ring(LEG, YAMADA, { callSid: SID });
    const before = page.call.state.value;

    expect(() => page.call.holdAsked()).toThrow(CallRefused);
    expect(() => page.call.holdAsked()).toThrow(t('call.notConnected'));
    expect(page.call.whyNoHold.value).toBe(t('call.notConnected'));
    expect(() => page.call.transferAsked({ id: 'op-tanaka', name: '田中 健太' }, 'warm', null)).toThrow(CallRefused);
    expect(page.call.state.value).toBe(before);
    expect(page.call.transfer.state.value).toEqual({ phase: 'none' });
  });
});

describe('a consultation call during hold', () => {
  it('rings, is answered, and hung up it stays hung up even while the server still shows it', () => {
    const page = answeredCall();
    page.call.holdAsked();
    page.call.held(SID);

    page.call.consultDialed(SID);
    expect(page.call.consult.phase.value).toBe('ringing');
    page.call.followed(liveCall({}, { customer_held: true, consult_in_progress: true }));
    expect(page.call.consult.phase.value).toBe('connected');
    expect(page.call.whyNoTransfer.value).toBe(t('transfer.consultFirst'));

    page.call.consultHungUp(SID);
    page.call.followed(liveCall({}, { customer_held: true, consult_in_progress: true }));
    expect(page.call.consult.phase.value).toBe('idle');
    expect(page.call.state.value.phase).toBe('held');
  });

  it('nobody answers is given up and the operator told', () => {
    const page = answeredCall();
    page.call.holdAsked();
    page.call.held(SID);
    page.call.consultDialed(SID);

    page.advance(60_000);
    page.call.followed(liveCall({}, { customer_held: true }));

    expect(page.call.consult.phase.value).toBe('idle');
    expect(page.lastNotice()).toEqual({ kind: 'warn', text: t('consult.noAnswer') });
  });
});

describe('a warm transfer this operator starts', () => {
  it('rings, is answered, and completes when the operator hangs up, taking the sent draft with it', () => {
    const page = answeredCall();
    const draft = JSON.stringify({ object: 'inquiry', fields: { subject: '契約プラン変更の相談' } });

    page.call.transferAsked({ id: 'op-tanaka', name: '田中 健太' }, 'warm', draft);
    page.call.transferStarted(SID, transferTo('田中 健太', 'ringing'));
    expect(page.call.transfer.transferring.value).toBe(true);
    expect(page.lastNotice()).toEqual({ kind: 'info', text: t('transfer.ringingWarm', { name: '田中 健太' }) });

    page.call.followed(liveCall({}, { customer_held: true, transfer: transferTo('田中 健太', 'answered') }));
    expect(page.call.transfer.current.value?.state).toBe('answered');
    expect(page.lastNotice()).toEqual({ kind: 'info', text: t('transfer.answered', { name: '田中 健太' }) });

    // 切断: the server hangs my leg up; its end completes the transfer.
    const c = page.call.activeCall.value!;
    page.call.hangUpAsked(c);
    page.call.hungUp(c);
    expect(page.call.state.value.phase).not.toBe('idle');
    page.call.legGone(LEG, 'disconnected');

    expect(page.call.state.value.phase).toBe('idle');
    expect(page.lastNotice()).toEqual({ kind: 'ok', text: t('transfer.done', { name: '田中 健太' }) });
    expect(page.did).toContainEqual(['memo.release']);
    expect(page.did).toContainEqual(['handedOver', draft]);
    expect(page.call.transfer.state.value).toEqual({ phase: 'none' });
  });

  it('that the target declines leaves the customer with the operator and says why', () => {
    const page = answeredCall();
    page.call.transferAsked({ id: 'op-tanaka', name: '田中 健太' }, 'warm', null);
    page.call.transferStarted(SID, transferTo('田中 健太', 'ringing'));

    page.call.followed(liveCall({}, { customer_held: true, transfer: { ...transferTo('田中 健太', 'failed'), reason: 'busy' } }));

    expect(page.call.transfer.transferring.value).toBe(false);
    expect(page.call.state.value.phase).toBe('held');
    expect(page.lastNotice()).toEqual({
      kind: 'warn',
      text: t('transfer.failed', { name: '田中 健太', reason: t('transfer.reason.busy') }),
    });
  });

  it('that is blind ends my part as soon as my leg leaves, even before the server answers', () => {
    const page = answeredCall();
    page.call.transferAsked({ id: 'op-tanaka', name: '田中 健太' }, 'cold', null);

    expect(page.call.legGone(LEG, 'disconnected')).toBe('settled');

    expect(page.call.state.value.phase).toBe('idle');
    expect(page.lastNotice()).toEqual({ kind: 'ok', text: t('transfer.done', { name: '田中 健太' }) });
  });
});

describe('a transfer to this operator', () => {
  const handoff: Handoff = {
    id: 'HO1',
    call_sid: SID,
    transfer_id: 'TR1',
    from_operator: 'op-sato',
    from_name: '佐藤 花子',
    to_operator: ME,
    created_at: '2024-05-01T10:00:00Z',
    valid_until: '2024-05-01T10:10:00Z',
    screen: { account_id: 'acc-1', contact_id: 'con-1', memo: '【お客様】変更したい', response_status: 'escalated' },
  };
  const ringParams = { callSid: SID, customer: YAMADA, transferId: 'TR1', fromOperator: '佐藤 花子', mode: 'warm', handoffId: 'HO1' };

  it('rings, its screen arrives once loaded, and the call becomes mine when the first operator leaves', () => {
    const page = recordingPage();

    expect(page.call.ring('CLtr', YAMADA, ringParams)).toEqual({ then: 'loadHandoff', handoffId: 'HO1' });
    // Answered before the screen transfer is in: the handover starts, the screen waits.
    page.call.answered('CLtr');
    expect(page.call.state.value).toMatchObject({ phase: 'consulting', kind: 'transfer' });
    expect(page.did).not.toContainEqual(['follow', SID]);

    page.call.handoffLoaded('CLtr', handoff);
    expect(page.call.handoff.value).toEqual(handoff);
    expect(page.did).toContainEqual(['popUp', YAMADA, SID, { account: 'acc-1', contact: 'con-1' }]);
    expect(page.did).toContainEqual(['screenArrived', 'HO1', '佐藤 花子']);
    expect(page.did).toContainEqual(['memo.start', SID, 'transferTarget', handoff.screen]);
    expect(page.did).toContainEqual(['follow', SID]);
    expect(page.call.whyNoHold.value).toBe(t('call.transferPending'));

    const mine = liveCall(
      { operator_id: ME },
      { operator_label: 'transfer', participants: [participant('customer'), participant('transfer')] },
    );
    page.call.followed(mine);

    expect(page.call.state.value).toMatchObject({ phase: 'connected', kind: 'call' });
    expect(page.did).toContainEqual(['memo.takeOver', SID, handoff.screen]);
    expect(page.lastNotice()).toEqual({ kind: 'ok', text: t('transfer.takenOver', { name: '佐藤 花子' }) });
  });

  it('that stops ringing is a missed transfer', () => {
    const page = recordingPage();
    page.call.ring('CLtr', YAMADA, ringParams);

    page.call.legGone('CLtr', 'cancelled');

    expect(page.call.state.value.phase).toBe('idle');
    expect(page.lastNotice()).toEqual({ kind: 'info', text: t('transfer.missed') });
  });
});

describe('a dial', () => {
  it('that the platform refuses ends with what it said', () => {
    const page = recordingPage();
    const dialing = page.call.dialStarted('03-1234-5678');
    expect(page.did).toContainEqual(['popUp', '03-1234-5678', null, {}]);
    page.call.dialConnected(dialing, 'CLout');
    expect(page.call.answered('CLout')).toBe('findPlaced');
    page.call.placed('CLout', null);
    page.call.heard('CLout', '受付可の状態では発信できません');

    page.call.legGone('CLout', 'disconnected');

    expect(page.call.state.value.phase).toBe('idle');
    expect(page.lastNotice()).toEqual({ kind: 'warn', text: t('call.refused', { text: '受付可の状態では発信できません' }) });
  });

  it('that the customer answers is connected and in the history', () => {
    const page = recordingPage();
    page.shown.add(YAMADA);
    const dialing = page.call.dialStarted(YAMADA);
    page.call.dialConnected(dialing, 'CLout');
    page.call.answered('CLout');
    const ringingOut = liveCall({ direction: 'outbound', status: 'ringing' }, { participants: [participant('operator')] });
    page.call.placed('CLout', ringingOut);
    expect(page.call.state.value).toMatchObject({ phase: 'dialing', sid: SID });
    expect(page.did).toContainEqual(['link', SID]);
    expect(page.did).toContainEqual(['history.changed', 0]);

    page.advance(4000);
    page.call.followed(liveCall({ direction: 'outbound', answered_at: '2024-05-01T10:00:04Z' }));

    expect(page.call.state.value).toMatchObject({ phase: 'connected', connectedAt: page.now() });
  });

  it('is refused while a call is up', () => {
    const page = answeredCall();

    expect(() => page.call.dialStarted('03-0000-0000')).toThrow(t('call.onCall'));
    expect(page.call.state.value.phase).toBe('connected');
  });
});

describe('after a reload', () => {
  const answeredAt = '2024-05-01T09:58:00Z';
  const withoutMyLeg = () =>
    liveCall({ answered_at: answeredAt }, { participants: [participant('customer'), participant('operator', 'left')] });

  it('a live call of mine is adopted, and with my leg gone it offers to rejoin', () => {
    const page = recordingPage();

    page.call.adoptAfterReload(withoutMyLeg());

    expect(page.call.state.value).toMatchObject({ phase: 'connected', sid: SID, leg: null, connectedAt: Date.parse(answeredAt) });
    expect(page.call.needsRejoin.value).toBe(true);
    expect(page.notices).toContainEqual({ kind: 'warn', text: t('call.needRejoin') });
    expect(page.did).toContainEqual(['follow', SID]);
    expect(page.did).toContainEqual(['memo.start', SID, 'rejoined', null]);
  });

  it('再接続 rings my phone back in and the ring is answered at once, the timer going on', () => {
    const page = recordingPage();
    page.call.adoptAfterReload(withoutMyLeg());

    page.call.rejoinAsked(SID);
    const next = page.call.ring('CLback', YAMADA, { callSid: SID, customer: YAMADA, rejoin: 'true' });
    expect(next).toEqual({ then: 'answer' });
    page.call.answered('CLback');

    expect(page.call.state.value).toMatchObject({ phase: 'connected', kind: 'rejoin', leg: 'CLback', connectedAt: Date.parse(answeredAt) });
    expect(page.lastNotice()).toEqual({ kind: 'ok', text: t('call.rejoined') });
  });

  it('a call that is someone else’s, or one found while a call is up, is not adopted', () => {
    const page = recordingPage();
    page.call.adoptAfterReload(liveCall({ operator_id: 'op-tanaka' }));
    expect(page.call.state.value.phase).toBe('idle');

    const busy = answeredCall();
    const before = busy.call.state.value;
    busy.call.adoptAfterReload(liveCall({ sid: 'CA0002' }));
    expect(busy.call.state.value).toBe(before);
  });
});
