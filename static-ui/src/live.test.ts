// The live channel's pure parts: where it connects and how long it waits before reconnecting.
import { describe, expect, it } from 'vitest';
import { backoffMs, liveUrl } from './live';

describe('the live channel', () => {
  it('connects to /live on the page’s own origin, over wss: when the page is on https:', () => {
    expect(liveUrl({ protocol: 'https:', host: 'console.example.jp' })).toBe('wss://console.example.jp/live');
    expect(liveUrl({ protocol: 'http:', host: '127.0.0.1:8080' })).toBe('ws://127.0.0.1:8080/live');
  });

  it('waits longer after each failed reconnect, jittered, never past 30 s', () => {
    const least = (n: number) => backoffMs(n, () => 0);
    const most = (n: number) => backoffMs(n, () => 1);
    expect([least(0), most(0)]).toEqual([250, 500]);
    expect([least(1), most(1)]).toEqual([500, 1000]);
    expect([least(3), most(3)]).toEqual([2000, 4000]);
    expect([least(20), most(20)]).toEqual([15_000, 30_000]);
    for (let n = 0; n < 30; n++) expect(backoffMs(n)).toBeLessThanOrEqual(30_000);
  });
});
