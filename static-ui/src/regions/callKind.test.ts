import { describe, expect, it } from 'vitest';
import { callKind } from './callKind';

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
});
