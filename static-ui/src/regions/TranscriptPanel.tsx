//! The live transcript beside the memo (リアルタイム文字起こし): each phrase of the call on screen
//! with who said it (お客様 / オペレーター) and when, the newest kept in view as it arrives (in a
//! box of fixed height, so the memo below never moves), and
//! 「メモに追加」 on each, which adds that phrase to the end of the memo. Fetched on demand (the
//! first load has a size budget) once the centre has a line that transcribes. Also the
//! transcript of a past call in 対応履歴's detail ({@link CallTranscript}).

import { useEffect, useRef, useState } from 'preact/hooks';
import { clockTime } from '../format';
import { t } from '../i18n';
import type { TranscriptLine } from '../state/transcript';
import { addToMemo, readTranscript, transcript } from '../state/transcript';
import './transcript.css';

function when(line: TranscriptLine): string {
  const d = new Date(line.at);
  return Number.isNaN(d.getTime()) ? '' : clockTime(d);
}

function Lines({ lines, onAdd }: { lines: TranscriptLine[]; onAdd?: (l: TranscriptLine) => void }) {
  return (
    <ol class="transcript-lines">
      {lines.map((l) => (
        <li key={l.seq} class={`transcript-line speaker-${l.speaker}`} data-seq={l.seq}>
          <span class="transcript-who">{t(`transcript.${l.speaker}`)}</span>
          <time class="transcript-time" dateTime={l.at}>
            {when(l)}
          </time>
          <span class="transcript-text">{l.text}</span>
          {onAdd && (
            <button
              type="button"
              class="small transcript-add"
              title={t('transcript.addHint')}
              aria-label={`${t('transcript.add')}: ${l.text}`}
              onClick={() => onAdd(l)}
            >
              {t('transcript.add')}
            </button>
          )}
        </li>
      ))}
    </ol>
  );
}

/** The transcript of the call on screen, live, beside the memo. */
export function TranscriptPanel() {
  const lines = transcript.value;
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lines.length]);
  return (
    <section class="transcript-panel" id="transcript-panel" aria-label={t('transcript.title')}>
      <h3 class="memo-title">{t('transcript.title')}</h3>
      <div class="transcript-scroll" ref={box} aria-live="polite">
        {lines.length === 0 ? <p class="muted transcript-empty">{t('transcript.waiting')}</p> : <Lines lines={lines} onAdd={addToMemo} />}
      </div>
    </section>
  );
}

/** A past call's transcript, read once (nothing shown for a call without one). */
export function CallTranscript({ sid }: { sid: string }) {
  const [lines, setLines] = useState<TranscriptLine[] | null>(null);
  useEffect(() => {
    let live = true;
    setLines(null);
    readTranscript(sid)
      .then((l) => live && setLines(l))
      .catch(() => live && setLines([]));
    return () => {
      live = false;
    };
  }, [sid]);
  if (!lines || lines.length === 0) return null;
  return (
    <div class="rv-row" id="detail-call-transcript">
      <dt>{t('transcript.title')}</dt>
      <dd>
        <Lines lines={lines} />
      </dd>
    </div>
  );
}
