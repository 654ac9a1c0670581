//! The live transcript (リアルタイム文字起こし) of the call whose memo is on screen: read once when
//! that call changes (and after the live channel reconnects), then each phrase pushed as
//! `transcript_line` is added in its place. Only on a centre where some line transcribes: the
//! panel and its reads cost nothing elsewhere. One phrase can be added to the memo.

import { computed, effect, signal } from '@preact/signals';
import { get } from '../api/client';
import type { components } from '../api/schema.gen';
import { follow, onLive } from '../live';
import { memoCallSid, memoText, setMemoText } from './memo';
import { settings } from './settings';

export type TranscriptLine = components['schemas']['TranscriptLine'];

/** The phrases of the call on screen, in the order they were said. */
export const transcript = signal<TranscriptLine[]>([]);

/** Whether any line of the centre transcribes its calls. */
export const transcribing = computed(() => (settings.value?.lines ?? []).some((l) => l.transcription));

/** Reads a call's transcript (empty for a call of a line that does not transcribe). */
export const readTranscript = (sid: string) => get<TranscriptLine[]>(`/api/memos/${encodeURIComponent(sid)}/transcript`);

/** `lines` with `line` in its place (by sequence); a phrase already there is not doubled. */
export function withLine(lines: TranscriptLine[], line: TranscriptLine): TranscriptLine[] {
  if (lines.some((l) => l.seq === line.seq)) return lines;
  return [...lines, line].sort((a, b) => a.seq - b.seq);
}

/** The memo's labels of who spoke, as the memo's own buttons insert them. */
const LABEL = { customer: '【お客様】', operator: '【オペレータ】' } as const;

/** Adds `line` to the end of the memo, on a line of its own, labelled with who said it. */
export function addToMemo(line: TranscriptLine): void {
  const memo = memoText.peek();
  const sep = memo === '' || memo.endsWith('\n') ? '' : '\n';
  setMemoText(`${memo}${sep}${LABEL[line.speaker]}${line.text}`, memo.length, 'insert');
}

/** Keeps {@link transcript} in step with the call on screen; returns the stop function. */
export function startTranscriptSync(): () => void {
  let gen = 0;
  const load = (sid: string | null) => {
    const mine = ++gen;
    transcript.value = [];
    if (!sid || !transcribing.peek()) return;
    readTranscript(sid)
      .then((lines) => {
        if (mine !== gen) return;
        // Phrases pushed while the read was under way are kept.
        transcript.value = lines.reduce(withLine, transcript.peek());
      })
      .catch(() => {
        /* The panel stays as the pushed phrases make it; the next call reads again. */
      });
  };
  const stopCall = effect(() => {
    const sid = memoCallSid.value;
    if (transcribing.value) load(sid);
    else transcript.value = [];
  });
  const stopLive = follow(['calls'], () => load(memoCallSid.peek()));
  const stopHearing = onLive((m) => {
    if (m.type === 'transcript_line' && m.line.call === memoCallSid.peek()) {
      transcript.value = withLine(transcript.peek(), m.line);
    }
  });
  return () => {
    stopHearing();
    stopLive();
    stopCall();
  };
}
