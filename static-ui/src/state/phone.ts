//! The phone layer's place in the page. The browser softphone (the Twilio Voice SDK deployed,
//! the simulator locally) is not built yet: it will implement {@link Phone}, be installed with
//! {@link installPhone}, and keep {@link activeCall} current. Everything that shows a call
//! (the call timer, the operation menu) reads these signals only.

import { computed, signal } from '@preact/signals';
import { now } from './clock';

/** What the page needs from a softphone. Both implementations (Twilio, simulator) provide it. */
export interface Phone {
  /** Calls `to` (any common way of writing a number) with the line `lineId` as caller ID. */
  dial(to: string, lineId: string): Promise<void>;
  /** Answers the call that is ringing. */
  answer(): Promise<void>;
  /** Ends the operator's part in the current call. */
  hangUp(): Promise<void>;
  /** Puts the customer on hold (a conference participant hold on the server). */
  hold(): Promise<void>;
  /** Takes the customer off hold. */
  resume(): Promise<void>;
  /** Releases the device (on sign-out). */
  destroy(): void;
}

/** Where a call is. */
export type CallPhase = 'ringing' | 'dialing' | 'connected' | 'held' | 'ended';

/** The call the operator is handling. */
export interface ActiveCall {
  /** The customer leg's CallSid (the conference name), once known. */
  sid: string | null;
  direction: 'inbound' | 'outbound';
  /** The customer's number (E.164 or as dialled). */
  customer: string;
  phase: CallPhase;
  /** When the customer and operator were connected (ms since the epoch). */
  connectedAt: number | null;
}

/** The installed softphone; `null` until the phone layer exists and has started. */
export const phone = signal<Phone | null>(null);
/** The current call; `null` when there is none. */
export const activeCall = signal<ActiveCall | null>(null);

/** Installs the softphone (the phone layer calls this once its device is ready). */
export function installPhone(p: Phone): void {
  phone.value?.destroy();
  phone.value = p;
}

/** Removes the softphone (sign-out). */
export function removePhone(): void {
  phone.value?.destroy();
  phone.value = null;
  activeCall.value = null;
}

/** Seconds the current call has been connected, or `null` without a connected call. */
export const callSeconds = computed(() => {
  const c = activeCall.value;
  if (!c || c.connectedAt === null) return null;
  return Math.max(0, Math.floor((now.value - c.connectedAt) / 1000));
});
