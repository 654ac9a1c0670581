//! The local runtime's simulator, from the page (local mode only, a lazy chunk): a simulated
//! customer calls in from a typed number or a customer's, and the simulated calls are listed
//! with their status, to hang up (or answer, for an outgoing call ringing a number). Collapsed
//! to a small tab by default; it floats, so opening it moves nothing.

import { useEffect, useState } from 'preact/hooks';
import { NumberSearch } from '../components/NumberSearch';
import { nationalPhone } from '../format';
import type { MessageKey } from '../i18n';
import { hasMessage, t } from '../i18n';
import { settings } from '../state/settings';

interface SimCall {
  sid: string;
  from: string;
  to: string;
  direction: string;
  status: string;
  party: { kind: 'phone' | 'client'; address: string };
}

const LIVE = new Set(['queued', 'initiated', 'ringing', 'in-progress']);

async function sim<T>(method: string, path: string, body?: unknown): Promise<T | undefined> {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) {
    let message = `HTTP ${res.status}`;
    try {
      message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
    } catch {
      /* not JSON */
    }
    throw new Error(message);
  }
  return text ? (JSON.parse(text) as T) : undefined;
}

const show = (n: string) => (n.startsWith('+') ? nationalPhone(n) : n);

export function SimulatorPanel() {
  const [open, setOpen] = useState(false);
  const [from, setFrom] = useState('03-1234-5678');
  const [to, setTo] = useState('');
  const [calls, setCalls] = useState<SimCall[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const lines = settings.value?.lines ?? [];

  useEffect(() => {
    if (!open) return;
    let stop = false;
    const load = () =>
      sim<{ calls: SimCall[] }>('GET', '/sim/state')
        .then((s) => {
          if (!stop) setCalls((s?.calls ?? []).filter((c) => c.party.kind === 'phone' && LIVE.has(c.status)));
        })
        .catch((e: unknown) => !stop && setError(e instanceof Error ? e.message : String(e)));
    void load();
    const timer = setInterval(() => void load(), 1500);
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, [open, tick]);

  const act = (fn: () => Promise<unknown>) => () => {
    setError(null);
    fn()
      .then(() => setTick((n) => n + 1))
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  };

  return (
    <aside id="sim-panel" class={`sim-panel ${open ? 'open' : ''}`} aria-label={t('sim.title')}>
      <button type="button" class="sim-toggle" id="sim-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
        {t('sim.title')} {open ? '▼' : '▲'}
      </button>
      {open && (
        <div class="sim-body">
          <form
            class="sim-call-form"
            onSubmit={(e) => {
              e.preventDefault();
              act(() => sim('POST', '/sim/calls', { from, ...(to ? { to } : {}) }))();
            }}
          >
            <label for="sim-from">{t('sim.from')}</label>
            <input id="sim-from" type="tel" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
            <label for="sim-to" class="sr-only">
              {t('sim.to')}
            </label>
            <select id="sim-to" value={to} onChange={(e) => setTo(e.currentTarget.value)} title={t('sim.to')}>
              <option value="">{t('sim.toDefault')}</option>
              {lines.map((l) => (
                <option key={l.id} value={l.number}>
                  {l.label}
                </option>
              ))}
            </select>
            <button type="submit" class="primary" id="sim-call">
              {t('sim.call')}
            </button>
          </form>
          <NumberSearch idPrefix="sim" onPick={(n) => setFrom(n)} />
          <h3 class="sim-caption">{t('sim.calls')}</h3>
          <ul class="sim-calls" id="sim-calls">
            {calls.length === 0 && <li class="muted">{t('sim.none')}</li>}
            {calls.map((c) => (
              <li key={c.sid} data-sid={c.sid}>
                <span class="sim-call-text">
                  {c.direction === 'inbound' ? t('sim.inbound', { from: show(c.from) }) : t('sim.outbound', { to: show(c.to) })}
                  <span class="muted"> {hasMessage(`sim.status.${c.status}`) ? t(`sim.status.${c.status}` as MessageKey) : c.status}</span>
                </span>
                {c.direction !== 'inbound' && c.status === 'ringing' && (
                  <button type="button" class="small" onClick={act(() => sim('POST', `/sim/calls/${c.sid}/answer`))}>
                    {t('sim.answer')}
                  </button>
                )}
                <button type="button" class="small" onClick={act(() => sim('POST', `/sim/calls/${c.sid}/hangup`))}>
                  {t('sim.hangUp')}
                </button>
              </li>
            ))}
          </ul>
          {error && (
            <p class="error-text" role="alert">
              {error}
            </p>
          )}
        </div>
      )}
    </aside>
  );
}
