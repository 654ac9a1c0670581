// 後処理 on the page: the seconds left and the status it ends in, and 対応ステータス必須 keeping the
// operator in it (leaving refused with the reason, a countdown that runs out started over once).
import { afterEach, describe, expect, it, vi } from 'vitest';

const asked: string[] = vi.hoisted(() => []);

vi.mock('../api/operators', () => ({
  me: () => Promise.reject(new Error('not read in these tests')),
  setStatus: (id: string) => {
    asked.push(id);
    return Promise.resolve({ id: 'op-sato', name: '佐藤 花子', role: 'operator', status: id, status_since: '', version: 9 });
  },
}));

vi.mock('../live', () => ({
  follow: () => () => undefined,
  onLive: () => () => undefined,
  pollWhileDown: () => () => undefined,
}));

import type { Settings } from '../api/types';
import { lang } from '../i18n';
import { now } from './clock';
import { memoCallSid, responseStatus } from './memo';
import { afterCallStatus, presence, registerPresenceControl, wrapUpUntil } from './presence';
import { settings } from './settings';
import { choosePresence, endWrapUp, startWrapUpGuard, whyStayInWrapUp, wrapUpEndsIn, wrapUpLeft } from './wrapUp';

function required(on: boolean): void {
  settings.value = { call_handling: { wrap_up_seconds: 60, max_wait_seconds: 300, ring_timeout_seconds: 20, orphan_hold_seconds: 30, require_response_status: on }, presence_statuses: [] } as unknown as Settings;
}

/** In wrap-up after call CA1, ending `inMs` from the page's clock, then `after`. */
function inWrapUp(inMs: number, after = 'available'): void {
  now.value = Date.parse('2026-12-02T04:00:00Z');
  presence.value = 'wrap_up';
  wrapUpUntil.value = new Date(now.value + inMs).toISOString();
  afterCallStatus.value = after;
  memoCallSid.value = 'CA1';
  responseStatus.value = null;
}

describe('wrap-up', () => {
  let stops: Array<() => void> = [];
  afterEach(() => {
    for (const s of stops) s();
    stops = [];
    asked.length = 0;
  });

  it('counts down to the status the operator had before the call', () => {
    lang.value = 'ja';
    required(false);
    inWrapUp(42_000, 'away');
    expect(wrapUpLeft.value).toBe(42);
    expect(wrapUpEndsIn.value).toBe('離席');
    now.value += 40_000;
    expect(wrapUpLeft.value).toBe(2);
    presence.value = 'away';
    expect(wrapUpLeft.value).toBeNull();
  });

  it('ends early into that status, unless the response status is required and not chosen', async () => {
    lang.value = 'ja';
    stops.push(registerPresenceControl({ change: (id) => Promise.resolve(void asked.push(id)) }));
    required(true);
    inWrapUp(30_000, 'break');
    expect(whyStayInWrapUp.value).toBe('対応ステータスを選んでから後処理を終えてください');
    await expect(endWrapUp()).rejects.toThrow('対応ステータスを選んでから');
    await expect(choosePresence('available')).rejects.toThrow('対応ステータスを選んでから');
    // 後処理 itself (延長) is always allowed.
    await choosePresence('wrap_up');
    expect(asked).toEqual(['wrap_up']);
    responseStatus.value = 'resolved';
    expect(whyStayInWrapUp.value).toBeNull();
    await endWrapUp();
    expect(asked).toEqual(['wrap_up', 'break']);
  });

  it('starts a countdown that runs out with no response status over, once for that countdown', async () => {
    lang.value = 'ja';
    stops.push(registerPresenceControl({ change: (id) => Promise.resolve(void asked.push(id)) }));
    required(true);
    inWrapUp(10_000);
    stops.push(startWrapUpGuard());
    expect(asked).toEqual([]);
    now.value += 9_000;
    await Promise.resolve();
    expect(asked).toEqual(['wrap_up']);
    now.value += 200;
    await Promise.resolve();
    // The same countdown is not started over twice.
    expect(asked).toEqual(['wrap_up']);
    // Not required: the countdown ends on the server's clock.
    asked.length = 0;
    required(false);
    inWrapUp(1_000);
    await Promise.resolve();
    expect(asked).toEqual([]);
  });
});
