//! 通話前チェック: before the first call the operator checks the microphone (a live input level;
//! a voice must be heard) and the network (the API's round trip; with the real phone also
//! Twilio's preflight test call). Until it is done in this browser session the information bar
//! says so; the result stays for the session.

import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText } from '../api/errors';
import { config } from '../config';
import { t } from '../i18n';
import type { CallQualityReport, LevelMeter } from '../phone/preflight';
import { SLOW_MS, VOICE_LEVEL, apiRoundTrip, openLevelMeter, twilioPreflight } from '../phone/preflight';
import { phoneState } from '../state/phone';
import { precheck, precheckOpen, rememberPrecheck } from '../state/precheck';
import { Dialog } from './Dialog';

/** How long the microphone is listened to. */
const LISTEN_MS = 4000;


interface Found {
  mic: { kind: 'ok' } | { kind: 'silent' } | { kind: 'denied'; detail: string } | null;
  network: { kind: 'ok' | 'slow'; ms: number } | { kind: 'failed'; detail: string } | null;
  quality: CallQualityReport | { failed: string } | null;
}

const NOTHING: Found = { mic: null, network: null, quality: null };

/** The bar's width for a level: decibels from −60 (empty) to 0 (full), as meters show sound. */
function meterPercent(level: number): number {
  if (level <= 0) return 0;
  return Math.max(0, Math.min(100, Math.round(((20 * Math.log10(level) + 60) / 60) * 100)));
}


/** The dialog: start, the level bar, and what was found. */
export function PreflightDialog() {
  const [running, setRunning] = useState(false);
  const [level, setLevel] = useState(0);
  const [found, setFound] = useState<Found>(NOTHING);
  const meter = useRef<LevelMeter | null>(null);
  const open = precheckOpen.value;

  useEffect(() => {
    if (!open) {
      meter.current?.stop();
      meter.current = null;
    }
  }, [open]);
  useEffect(() => () => meter.current?.stop(), []);

  const run = async () => {
    setRunning(true);
    setFound(NOTHING);
    setLevel(0);
    let loudest = 0;
    // The bar holds a peak and lets it fall slowly, so a word is seen rather than flickered.
    let shown = 0;
    const mic = (async (): Promise<Found['mic']> => {
      try {
        meter.current?.stop();
        meter.current = await openLevelMeter((l) => {
          loudest = Math.max(loudest, l);
          shown = Math.max(l, shown * 0.92);
          setLevel(shown);
        });
        await new Promise((r) => setTimeout(r, LISTEN_MS));
        return loudest >= VOICE_LEVEL ? { kind: 'ok' } : { kind: 'silent' };
      } catch (e) {
        return { kind: 'denied', detail: errorText(e) };
      } finally {
        meter.current?.stop();
        meter.current = null;
        setLevel(0);
      }
    })();
    const network = apiRoundTrip().then(
      (ms): Found['network'] => ({ kind: ms > SLOW_MS ? 'slow' : 'ok', ms }),
      (e: unknown): Found['network'] => ({ kind: 'failed', detail: errorText(e) }),
    );
    const cfg = config.peek();
    const quality =
      cfg?.phone.kind === 'twilio'
        ? twilioPreflight(cfg).catch((e: unknown) => ({ failed: errorText(e) }))
        : Promise.resolve(null);
    const [m, n, q] = await Promise.all([mic, network, quality]);
    setFound({ mic: m, network: n, quality: q });
    setRunning(false);
    const good = m?.kind === 'ok' && n?.kind === 'ok' && (q === null || ('quality' in q && !['fair', 'degraded'].includes(q.quality)));
    rememberPrecheck(good ? 'ok' : 'warn');
  };

  const micText = (() => {
    const m = found.mic;
    if (!m) return running ? t('check.running') : '';
    if (m.kind === 'ok') return t('check.micOk');
    if (m.kind === 'silent') return t('check.micSilent');
    return t('check.micDenied', { detail: m.detail });
  })();
  const netText = (() => {
    const n = found.network;
    if (!n) return running ? t('check.running') : '';
    if (n.kind === 'failed') return t('check.netFailed', { detail: n.detail });
    return t(n.kind === 'ok' ? 'check.netOk' : 'check.netSlow', { ms: n.ms });
  })();
  const q = found.quality;
  return (
    <Dialog id="precheck-dialog" open={open} title={t('check.title')} onClose={() => (precheckOpen.value = false)}>
      <p class="muted">{t('check.intro')}</p>
      <dl class="precheck">
        <dt>{t('check.level')}</dt>
        <dd>
          <div
            class="level-meter"
            id="precheck-level"
            role="meter"
            aria-label={t('check.level')}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={meterPercent(level)}
          >
            <div class={`level-bar ${level >= VOICE_LEVEL ? 'voice' : ''}`} style={{ width: `${meterPercent(level)}%` }} />
          </div>
        </dd>
        <dt>{t('check.mic')}</dt>
        <dd id="precheck-mic" class={found.mic && found.mic.kind !== 'ok' ? 'warn-text' : ''}>
          {micText}
        </dd>
        <dt>{t('check.network')}</dt>
        <dd id="precheck-network" class={found.network && found.network.kind !== 'ok' ? 'warn-text' : ''}>
          {phoneState.value !== 'registered' && !running && !found.network ? t('check.phoneNotReady') : netText}
        </dd>
        {q && (
          <>
            <dt>Twilio</dt>
            <dd id="precheck-quality">
              {'failed' in q ? t('check.qualityFailed', { detail: q.failed }) : t('check.quality', { quality: q.quality, ms: q.rttMs ?? '-' })}
            </dd>
          </>
        )}
      </dl>
      <div class="dialog-buttons">
        <button type="button" class="primary" id="precheck-start" disabled={running} onClick={() => void run()}>
          {precheck.value ? t('check.again') : t('check.start')}
        </button>
      </div>
    </Dialog>
  );
}
