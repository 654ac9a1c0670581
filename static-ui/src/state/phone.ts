//! The softphone's place in the page. A {@link Phone} is the operator's device — the Twilio
//! Voice SDK deployed (`phone/twilio.ts`), the local runtime's simulated phone in local mode
//! (`phone/simulator.ts`) — and only carries audio legs: it registers, rings, accepts, rejects,
//! places a call to the TwiML App, hangs its own leg up, mutes and sends digits. Everything else
//! about a call (hold, consult, transfer) is the `calls` API's business, driven by
//! `state/call.ts`; the call itself is the call model's (`state/call/model.ts`).

import { signal } from '@preact/signals';

/**
 * What a phone reports. `leg` is the phone's own id of one audio leg (the leg's CallSid where the
 * implementation knows it); the customer's call id travels in `params.callSid`.
 */
export type PhoneEvent =
  /** The device registered and can ring. */
  | { type: 'registered'; identity: string }
  /** The device lost its registration (network, token); it is trying again by itself. */
  | { type: 'unregistered'; reason: string }
  /** A call rings this phone, with the custom parameters the server attached. */
  | { type: 'incoming'; leg: string; from: string; params: Record<string, string> }
  /** A leg is connected (an incoming call accepted, an outgoing one answered by the TwiML App). */
  | { type: 'accepted'; leg: string }
  /** A ringing leg went away before it was answered here. */
  | { type: 'cancelled'; leg: string }
  /** A leg ended. */
  | { type: 'disconnected'; leg: string }
  /** What the platform said on a leg (why a dial was refused, for example). */
  | { type: 'heard'; leg: string; text: string }
  /** Something the device could not do. */
  | { type: 'error'; message: string; leg?: string };

/** An audio device the operator can choose. */
export interface AudioDevice {
  id: string;
  label: string;
}

/** The microphone and speaker choice (the Twilio phone has one; the simulator has no audio). */
export interface AudioSettings {
  /** Asks for the microphone (the browser's permission prompt) and lists the devices. */
  devices(): Promise<{ inputs: AudioDevice[]; outputs: AudioDevice[]; outputSelectable: boolean }>;
  /** The chosen devices' ids (`default` when none was chosen). */
  chosen(): { input: string; output: string };
  setInput(id: string): Promise<void>;
  /** Sets where calls and the ringtone play. */
  setOutput(id: string): Promise<void>;
  /** Plays a test sound on the chosen speaker. */
  testOutput(): Promise<void>;
}

/** What the page needs from a softphone. Both implementations (Twilio, simulator) provide it. */
export interface Phone {
  readonly kind: 'twilio' | 'simulator';
  /** Receives every event from now on (and those emitted before the first subscriber). */
  subscribe(fn: (e: PhoneEvent) => void): () => void;
  /** Answers a ringing leg. */
  accept(leg: string): Promise<void>;
  /** Declines a ringing leg (the server offers the call to someone else). */
  reject(leg: string): void;
  /** Calls the TwiML App with these parameters (`To`, `LineId`); resolves with the new leg. */
  connect(params: Record<string, string>): Promise<string>;
  /** Hangs this phone's leg up. */
  disconnect(leg: string): void;
  /** Mutes or unmutes the microphone on a leg. */
  mute(leg: string, muted: boolean): void;
  /** Sends DTMF tones on a leg. */
  sendDigits(leg: string, digits: string): void;
  /** Device choice, where the phone has audio. */
  readonly audio: AudioSettings | null;
  /** Releases the device (on sign-out). */
  destroy(): void;
}

/** A small event hub for phone implementations: events wait until someone subscribes. */
export class PhoneEvents {
  private listeners = new Set<(e: PhoneEvent) => void>();
  private pending: PhoneEvent[] = [];

  subscribe(fn: (e: PhoneEvent) => void): () => void {
    this.listeners.add(fn);
    const queued = this.pending;
    this.pending = [];
    for (const e of queued) fn(e);
    return () => this.listeners.delete(fn);
  }

  emit(e: PhoneEvent): void {
    if (this.listeners.size === 0) {
      this.pending.push(e);
      return;
    }
    for (const fn of this.listeners) fn(e);
  }
}

/** The installed softphone; `null` until it has started. */
export const phone = signal<Phone | null>(null);
/** Whether the softphone is registered (rings), still connecting, or lost its connection. */
export const phoneState = signal<'none' | 'connecting' | 'registered' | 'lost'>('none');

/** Installs the softphone (the phone layer calls this once its device exists). */
export function installPhone(p: Phone): void {
  phone.value?.destroy();
  phoneState.value = 'connecting';
  phone.value = p;
}

/** Removes the softphone (sign-out). */
export function removePhone(): void {
  phone.value?.destroy();
  phone.value = null;
  phoneState.value = 'none';
}
