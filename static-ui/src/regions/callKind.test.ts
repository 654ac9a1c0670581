import { describe, expect, it } from 'vitest';
import { callKind, talkTime } from './callKind';

describe('callKind', () => {
  it('names an incoming call nobody took instead of showing a bare 着信', () => {
    expect(callKind({ direction: 'inbound', status: 'completed', operator_name: '佐藤 花子' })).toBe('inbound');
    expect(callKind({ direction: 'inbound', status: 'waiting' })).toBe('inbound');
    expect(callKind({ direction: 'inbound', status: 'abandoned', end_reason: 'completed' })).toBe('abandoned');
    expect(callKind({ direction: 'inbound', status: 'abandoned', end_reason: 'caller_gone' })).toBe('abandoned');
    expect(callKind({ direction: 'inbound', status: 'abandoned', end_reason: 'caller_gone_before_answer' })).toBe('missed');
    expect(callKind({ direction: 'inbound', status: 'failed', end_reason: 'failed' })).toBe('missed');
    expect(callKind({ direction: 'outbound', status: 'failed' })).toBe('outbound');
  });

  it('names a call whose caller left a message or asked to be called back, never as abandoned', () => {
    expect(callKind({ direction: 'inbound', status: 'voicemail', end_reason: 'completed' })).toBe('voicemail');
    expect(callKind({ direction: 'inbound', status: 'callback_requested', end_reason: 'completed' })).toBe('callback');
    expect(talkTime({ direction: 'inbound', status: 'callback_requested', duration_seconds: 75 })).toBe('—');
    expect(talkTime({ direction: 'inbound', status: 'completed', operator_name: '佐藤 花子', answered_at: '2026-12-03T01:00:00Z', duration_seconds: 75 })).not.toBe('—');
  });
});
