//! The deployed softphone: the Twilio Voice JS SDK (`@twilio/voice-sdk` v2). This module is a
//! lazy chunk (phone/index.ts imports it on demand), so the SDK never weighs on the initial
//! bundle. What it takes care of, per the SDK's documented API:
//! - the Voice access token from `GET /api/token`, renewed on `tokenWillExpire` with
//!   `device.updateToken` (and on an expired-token error);
//! - registration, and registering again after the network or the signalling connection was
//!   lost (`unregistered` while not destroyed, the browser's `online` event), backing off;
//! - the edge `config.json` names (`phone.edge`, e.g. `tokyo`), `closeProtection` while a call
//!   is up, Opus first;
//! - a ringtone that survives autoplay rules: the SDK's AudioContext is resumed on the first
//!   click or key press (the ringing dialog is shown whether or not sound can play);
//! - microphone permission (asked when the operator opens the audio settings or accepts a call,
//!   with a clear message when refused) and the choice of microphone and speaker, remembered on
//!   this browser.

import { Call, Device } from '@twilio/voice-sdk';
import { voiceToken } from '../api/token';
import { t } from '../i18n';
import type { AudioDevice, AudioSettings, Phone, PhoneEvent } from '../state/phone';
import { PhoneEvents } from '../state/phone';

const INPUT_KEY = 'console.audio.input';
const OUTPUT_KEY = 'console.audio.output';
const BACKOFF_MS = [1000, 2000, 5000, 10_000, 30_000];
/** Renew the token this long before it expires (the SDK's default is 10 s). */
const TOKEN_REFRESH_MS = 60_000;

/** Error codes (Twilio's) that mean the token must be renewed. */
const TOKEN_ERRORS = new Set([20101, 20104, 31204, 31205]);
/** Error codes that mean the microphone was refused or could not be opened. */
const MIC_ERRORS = new Set([31208, 31401, 31402, 31201]);

interface SdkError {
  code?: number;
  message?: string;
}

function describe(e: SdkError): string {
  if (e.code !== undefined && MIC_ERRORS.has(e.code)) return t('phone.micDenied');
  if (e.code !== undefined && TOKEN_ERRORS.has(e.code)) return t('phone.tokenExpired');
  return t('phone.sdkError', { code: e.code ?? '-', detail: e.message ?? '' });
}

class TwilioPhone implements Phone {
  readonly kind = 'twilio' as const;
  readonly audio: AudioSettings;
  private events = new PhoneEvents();
  private legs = new Map<string, Call>();
  private outgoing = 0;
  private destroyed = false;
  private attempt = 0;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private readonly onOnline = () => this.reregister(0);
  private readonly unlockAudio = () => {
    void Device.audioContext?.resume().catch(() => undefined);
  };

  constructor(private readonly device: Device) {
    this.audio = this.audioSettings();
    device.on(Device.EventName.Registered, () => {
      this.attempt = 0;
      this.events.emit({ type: 'registered', identity: device.identity ?? '' });
    });
    device.on(Device.EventName.Unregistered, () => {
      if (this.destroyed) return;
      this.events.emit({ type: 'unregistered', reason: t('phone.connectionLost') });
      this.reregister();
    });
    device.on(Device.EventName.TokenWillExpire, () => void this.renewToken());
    device.on(Device.EventName.Error, (e: SdkError, call?: Call) => {
      if (e.code !== undefined && TOKEN_ERRORS.has(e.code)) {
        void this.renewToken().then(() => this.reregister(0));
        return;
      }
      const leg = call ? this.legOf(call) : undefined;
      this.events.emit({ type: 'error', message: describe(e), ...(leg ? { leg } : {}) });
    });
    device.on(Device.EventName.Incoming, (call: Call) => this.incoming(call));
    addEventListener('online', this.onOnline);
    addEventListener('pointerdown', this.unlockAudio, { capture: true });
    addEventListener('keydown', this.unlockAudio, { capture: true });
  }

  subscribe(fn: (e: PhoneEvent) => void): () => void {
    return this.events.subscribe(fn);
  }

  /** Registers now, or after the next back-off step. */
  reregister(delay?: number): void {
    if (this.destroyed) return;
    if (this.retry) clearTimeout(this.retry);
    const wait = delay ?? BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt++;
    this.retry = setTimeout(() => {
      if (this.destroyed || this.device.state === Device.State.Registered) return;
      this.device.register().catch((e: SdkError) => {
        this.events.emit({ type: 'unregistered', reason: describe(e) });
        this.reregister();
      });
    }, wait);
  }

  private async renewToken(): Promise<void> {
    try {
      const { token } = await voiceToken();
      if (!this.destroyed) this.device.updateToken(token);
    } catch (e) {
      this.events.emit({ type: 'error', message: t('phone.tokenFailed', { detail: e instanceof Error ? e.message : String(e) }) });
    }
  }

  private legOf(call: Call): string | undefined {
    for (const [leg, c] of this.legs) if (c === call) return leg;
    return undefined;
  }

  private track(leg: string, call: Call): void {
    this.legs.set(leg, call);
    const gone = (type: 'cancelled' | 'disconnected') => () => {
      if (!this.legs.has(leg)) return;
      this.legs.delete(leg);
      this.events.emit({ type, leg });
    };
    call.on('accept', () => this.events.emit({ type: 'accepted', leg }));
    call.on('cancel', gone('cancelled'));
    call.on('reject', gone('cancelled'));
    call.on('disconnect', gone('disconnected'));
    call.on('error', (e: SdkError) => this.events.emit({ type: 'error', message: describe(e), leg }));
  }

  private incoming(call: Call): void {
    const leg = call.parameters.CallSid ?? `in-${++this.outgoing}`;
    this.track(leg, call);
    this.events.emit({
      type: 'incoming',
      leg,
      from: call.parameters.From ?? '',
      params: Object.fromEntries(call.customParameters),
    });
  }

  private call(leg: string): Call {
    const c = this.legs.get(leg);
    if (!c) throw new Error(t('phone.noSuchLeg'));
    return c;
  }

  accept(leg: string): Promise<void> {
    this.unlockAudio();
    this.call(leg).accept();
    return Promise.resolve();
  }

  reject(leg: string): void {
    this.call(leg).reject();
  }

  async connect(params: Record<string, string>): Promise<string> {
    const call = await this.device.connect({ params });
    const leg = `out-${++this.outgoing}`;
    this.track(leg, call);
    return leg;
  }

  disconnect(leg: string): void {
    this.call(leg).disconnect();
  }

  mute(leg: string, muted: boolean): void {
    this.call(leg).mute(muted);
  }

  sendDigits(leg: string, digits: string): void {
    this.call(leg).sendDigits(digits);
  }

  destroy(): void {
    this.destroyed = true;
    if (this.retry) clearTimeout(this.retry);
    removeEventListener('online', this.onOnline);
    removeEventListener('pointerdown', this.unlockAudio, { capture: true });
    removeEventListener('keydown', this.unlockAudio, { capture: true });
    this.legs.clear();
    this.device.destroy();
  }

  private audioSettings(): AudioSettings {
    const device = this.device;
    const list = (m: Map<string, MediaDeviceInfo> | undefined): AudioDevice[] =>
      [...(m?.values() ?? [])].map((d, i) => ({ id: d.deviceId, label: d.label || t('phone.deviceN', { n: i + 1 }) }));
    return {
      async devices() {
        // Device labels are only listed once the page may use the microphone.
        const stream = await navigator.mediaDevices.getUserMedia({ audio: true }).catch(() => {
          throw new Error(t('phone.micDenied'));
        });
        stream.getTracks().forEach((tr) => tr.stop());
        const audio = device.audio;
        return {
          inputs: list(audio?.availableInputDevices),
          outputs: list(audio?.availableOutputDevices),
          outputSelectable: audio?.isOutputSelectionSupported ?? false,
        };
      },
      chosen() {
        return { input: localStorage.getItem(INPUT_KEY) ?? 'default', output: localStorage.getItem(OUTPUT_KEY) ?? 'default' };
      },
      async setInput(id) {
        await device.audio?.setInputDevice(id);
        localStorage.setItem(INPUT_KEY, id);
      },
      async setOutput(id) {
        await device.audio?.speakerDevices.set(id);
        await device.audio?.ringtoneDevices.set(id);
        localStorage.setItem(OUTPUT_KEY, id);
      },
      async testOutput() {
        await device.audio?.speakerDevices.test();
      },
    };
  }
}

/** Creates the Twilio device for the signed-in operator on `edge` and registers it. */
export async function createTwilioPhone(edge: string): Promise<Phone> {
  const { token } = await voiceToken();
  const device = new Device(token, {
    edge,
    closeProtection: t('phone.closeProtection'),
    codecPreferences: [Call.Codec.Opus, Call.Codec.PCMU],
    tokenRefreshMs: TOKEN_REFRESH_MS,
    // While a call is up, keep reconnecting to the edge it is on rather than dropping it.
    maxCallSignalingTimeoutMs: 30_000,
    enableImprovedSignalingErrorPrecision: true,
    appName: 'operator-console',
    logLevel: 'warn',
  });
  const phone = new TwilioPhone(device);
  // Restore the devices chosen on this browser (silently: the choice may be gone).
  const input = localStorage.getItem(INPUT_KEY);
  const output = localStorage.getItem(OUTPUT_KEY);
  if (input && input !== 'default') void phone.audio.setInput(input).catch(() => undefined);
  if (output && output !== 'default') void phone.audio.setOutput(output).catch(() => undefined);
  phone.reregister(0);
  return phone;
}
