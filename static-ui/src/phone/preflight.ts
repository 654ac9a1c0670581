//! The check before the first call (通話前チェック): the microphone, with a live input level
//! (both phones: it is the only audio test the simulator's phone can have), and the network —
//! with the real phone, Twilio Voice SDK's preflight test (`Device.runPreflight`: a short test
//! call to Twilio on the configured edge, reporting its quality and round trip), with the
//! simulator's, the API's round trip. The result is remembered for this browser session.

import type { PreflightTest as Preflight } from '@twilio/voice-sdk';
import { voiceToken } from '../api/token';
import type { PageConfig } from '../config';

/** Level above which the microphone counts as hearing a voice (RMS of the samples, 0–1). */
export const VOICE_LEVEL = 0.02;
/** An API round trip above this is called slow. */
export const SLOW_MS = 400;

/** A running input level meter. */
export interface LevelMeter {
  stop(): void;
}

/** Opens the microphone and reports its level (0–1) about 20 times a second until stopped. */
export async function openLevelMeter(onLevel: (level: number) => void): Promise<LevelMeter> {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  const ctx = new AudioContext();
  const source = ctx.createMediaStreamSource(stream);
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 1024;
  source.connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  const timer = setInterval(() => {
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const s of samples) sum += s * s;
    onLevel(Math.min(1, Math.sqrt(sum / samples.length)));
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      source.disconnect();
      for (const track of stream.getTracks()) track.stop();
      void ctx.close();
    },
  };
}

/** The API's round trip in ms: the median of three token reads. */
export async function apiRoundTrip(): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    await voiceToken();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[1]);
}

/** What Twilio's preflight test found. */
export interface CallQualityReport {
  /** `excellent`, `great`, `good`, `fair` or `degraded` (Twilio's words). */
  quality: string;
  /** The average round trip of the test call's media, when measured. */
  rttMs: number | null;
}

/** Runs Twilio's preflight test on the configured edge (the real phone only). */
export async function twilioPreflight(config: PageConfig): Promise<CallQualityReport> {
  if (config.phone.kind !== 'twilio') throw new Error('not the Twilio phone');
  const edge = config.phone.edge;
  const [{ Device, PreflightTest }, { token }] = await Promise.all([import('@twilio/voice-sdk'), voiceToken()]);
  const test = Device.runPreflight(token, { edge });
  return new Promise<CallQualityReport>((resolve, reject) => {
    test.on(PreflightTest.Events.Completed, (report: Preflight.Report) => {
      const rtt = report.stats?.rtt.average;
      resolve({ quality: report.callQuality ?? 'unknown', rttMs: rtt === undefined ? null : Math.round(rtt) });
    });
    test.on(PreflightTest.Events.Failed, (e: { message?: string } | undefined) => reject(new Error(e?.message ?? 'preflight failed')));
  });
}
