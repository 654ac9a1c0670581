//! The live transcripts on the supervisors' board: an operator's card shows the last lines of
//! the call they are on. When a card with an answered call on a line that transcribes first
//! appears (the board opened or reloaded mid-call, or the call just answered), its last
//! {@link CARD_LINES} phrases are read once — one bounded request per call shown, none for a
//! line that does not transcribe — and each phrase pushed as `transcript_line` is then added in
//! its place, a phrase already there not doubled. After the live channel reconnects the calls
//! shown are read again (phrases said while it was down). The full transcript is in 対応履歴
//! once the call ends.

import { effect, signal } from '@preact/signals';
import { get } from '../api/client';
import { follow, onLive } from '../live';
import { settings } from '../state/settings';
import type { TranscriptLine } from '../state/transcript';
import { withLine } from '../state/transcript';
import type { BoardOperator } from './api';
import { board } from './board';

/** How many lines a card keeps of its call. */
export const CARD_LINES = 3;

/** The last lines of each call heard on the board, by CallSid. */
export const boardTranscripts = signal<Record<string, TranscriptLine[]>>({});

/** The last {@link CARD_LINES} phrases of a call, in the order they were said. */
export const readRecentLines = (sid: string) =>
  get<TranscriptLine[]>(`/api/memos/${encodeURIComponent(sid)}/transcript`, { last: CARD_LINES });

/** `lines` merged into what the board has of `call`: in order, no phrase twice, the last few kept. */
function merge(call: string, lines: TranscriptLine[]): void {
  const current = boardTranscripts.peek()[call] ?? [];
  boardTranscripts.value = { ...boardTranscripts.peek(), [call]: lines.reduce(withLine, current).slice(-CARD_LINES) };
}

/** The answered calls on the board whose line transcribes, by CallSid. */
export function transcribedCalls(operators: BoardOperator[], transcribingLines: Set<string>): string[] {
  const calls = new Set<string>();
  for (const op of operators) {
    const c = op.call;
    if (c?.answered_at && c.line && transcribingLines.has(c.line)) calls.add(c.sid);
  }
  return [...calls];
}

/** Hears the board's transcript lines and reads each new call's recent ones; returns the stop function (which forgets them). */
export function startBoardTranscripts(): () => void {
  const read = new Set<string>();
  let stopped = false;
  const readNew = () => {
    const b = board.value;
    if (!b) return;
    const lines = new Set((settings.value?.lines ?? []).filter((l) => l.transcription).map((l) => l.number));
    const shown = transcribedCalls(b.operators, lines);
    // Calls no longer on the board are forgotten: its memory stays the size of the board.
    const onBoard = new Set(b.operators.flatMap((op) => (op.call ? [op.call.sid] : [])));
    for (const sid of read) if (!onBoard.has(sid)) read.delete(sid);
    const kept = boardTranscripts.peek();
    if (Object.keys(kept).some((sid) => !onBoard.has(sid))) {
      boardTranscripts.value = Object.fromEntries(Object.entries(kept).filter(([sid]) => onBoard.has(sid)));
    }
    for (const sid of shown) {
      if (read.has(sid)) continue;
      read.add(sid);
      readRecentLines(sid)
        .then((recent) => {
          if (!stopped && read.has(sid)) merge(sid, recent);
        })
        .catch(() => {
          // The card shows the pushed lines; the next appearance of the call reads again.
          read.delete(sid);
        });
    }
  };
  const stopBoard = effect(readNew);
  const stopResync = follow(['board'], () => {
    read.clear();
    readNew();
  });
  const stopHearing = onLive((m) => {
    if (m.type !== 'transcript_line') return;
    merge(m.line.call, [m.line]);
  });
  return () => {
    stopped = true;
    stopHearing();
    stopResync();
    stopBoard();
    boardTranscripts.value = {};
  };
}
