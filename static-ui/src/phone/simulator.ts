//! The local runtime's simulated softphone: a WebSocket to `/sim/phone`, authenticated with the
//! same Voice access token the Twilio SDK would take (`GET /api/token`), carrying the events the
//! SDK's `Device` and `Call` emit (registered, incoming with custom parameters, accepted,
//! cancelled, disconnected) plus what the platform said on a leg (`heard`). No audio. A lost
//! connection is re-opened with a fresh token, backing off up to 10 s.

import { voiceToken } from '../api/token';
import type { PageConfig } from '../config';
import { t } from '../i18n';
import type { Phone, PhoneEvent } from '../state/phone';
import { PhoneEvents } from '../state/phone';

/** What the simulator sends (see local/src/sim/mod.rs `PhoneEvent`). */
type ServerEvent =
  | { type: 'registered'; identity: string }
  | { type: 'incoming'; callSid: string; from: string; params?: Record<string, string> }
  | { type: 'outgoing'; callSid: string; ref: string }
  | { type: 'accepted' | 'cancelled' | 'disconnected'; callSid: string }
  | { type: 'heard'; callSid: string; text: string }
  | { type: 'error'; message: string };

const CONNECT_TIMEOUT_MS = 10_000;
const BACKOFF_MS = [500, 1000, 2000, 5000, 10_000];

/** The simulator's WebSocket: `phone.url` when the config gives one, else on the API's origin. */
function socketUrl(config: PageConfig, token: string): string {
  const given = config.phone.kind === 'simulator' ? config.phone.url : undefined;
  const base = new URL(given || config.apiUrl || location.origin, location.href);
  base.protocol = base.protocol === 'https:' || base.protocol === 'wss:' ? 'wss:' : 'ws:';
  base.pathname = `${base.pathname.replace(/\/$/, '')}/sim/phone`;
  base.search = `token=${encodeURIComponent(token)}`;
  return base.toString();
}

class SimulatorPhone implements Phone {
  readonly kind = 'simulator' as const;
  readonly audio = null;
  private events = new PhoneEvents();
  private socket: WebSocket | null = null;
  private destroyed = false;
  private attempt = 0;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private refs = 0;
  private connecting = new Map<string, { resolve: (leg: string) => void; reject: (e: Error) => void }>();

  constructor(private readonly config: PageConfig) {}

  subscribe(fn: (e: PhoneEvent) => void): () => void {
    return this.events.subscribe(fn);
  }

  /** Opens the channel (again); a failure schedules another try. */
  async open(): Promise<void> {
    if (this.destroyed) return;
    let token: string;
    try {
      token = (await voiceToken()).token;
    } catch (e) {
      this.lost(e instanceof Error ? e.message : String(e));
      return;
    }
    if (this.destroyed) return;
    const ws = new WebSocket(socketUrl(this.config, token));
    this.socket = ws;
    ws.onmessage = (m) => this.receive(m.data);
    ws.onclose = () => {
      if (this.socket !== ws) return;
      this.socket = null;
      for (const [, p] of this.connecting) p.reject(new Error(t('phone.notConnected')));
      this.connecting.clear();
      this.lost(t('phone.connectionLost'));
    };
  }

  private lost(reason: string): void {
    if (this.destroyed) return;
    this.events.emit({ type: 'unregistered', reason });
    const wait = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt++;
    if (this.retry) clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.open(), wait);
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let ev: ServerEvent;
    try {
      ev = JSON.parse(data) as ServerEvent;
    } catch {
      return;
    }
    switch (ev.type) {
      case 'registered':
        this.attempt = 0;
        this.events.emit({ type: 'registered', identity: ev.identity });
        break;
      case 'incoming':
        this.events.emit({ type: 'incoming', leg: ev.callSid, from: ev.from, params: ev.params ?? {} });
        break;
      case 'outgoing': {
        const p = this.connecting.get(ev.ref);
        this.connecting.delete(ev.ref);
        p?.resolve(ev.callSid);
        break;
      }
      case 'accepted':
      case 'cancelled':
      case 'disconnected':
        this.events.emit({ type: ev.type, leg: ev.callSid });
        break;
      case 'heard':
        this.events.emit({ type: 'heard', leg: ev.callSid, text: ev.text });
        break;
      case 'error':
        this.events.emit({ type: 'error', message: ev.message });
        break;
    }
  }

  private send(command: Record<string, unknown>): void {
    const ws = this.socket;
    if (!ws || ws.readyState !== WebSocket.OPEN) throw new Error(t('phone.notConnected'));
    ws.send(JSON.stringify(command));
  }

  accept(leg: string): Promise<void> {
    this.send({ type: 'accept', callSid: leg });
    return Promise.resolve();
  }

  reject(leg: string): void {
    this.send({ type: 'reject', callSid: leg });
  }

  connect(params: Record<string, string>): Promise<string> {
    const ref = `r${++this.refs}`;
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.connecting.delete(ref);
        reject(new Error(t('phone.connectTimeout')));
      }, CONNECT_TIMEOUT_MS);
      this.connecting.set(ref, {
        resolve: (leg) => {
          clearTimeout(timer);
          resolve(leg);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      try {
        this.send({ type: 'connect', ref, params });
      } catch (e) {
        this.connecting.delete(ref);
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  disconnect(leg: string): void {
    this.send({ type: 'disconnect', callSid: leg });
  }

  mute(leg: string, muted: boolean): void {
    this.send({ type: 'mute', callSid: leg, muted });
  }

  sendDigits(leg: string, digits: string): void {
    this.send({ type: 'digits', callSid: leg, digits });
  }

  destroy(): void {
    this.destroyed = true;
    if (this.retry) clearTimeout(this.retry);
    const ws = this.socket;
    this.socket = null;
    ws?.close();
  }
}

/** Creates the simulated phone and starts connecting it. */
export function createSimulatorPhone(config: PageConfig): Promise<Phone> {
  const p = new SimulatorPhone(config);
  void p.open();
  return Promise.resolve(p);
}
