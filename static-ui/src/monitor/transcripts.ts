//! The live transcripts on the supervisors' board: each phrase pushed as `transcript_line` is
//! kept under its call (the last few per call), and an operator's card shows the last lines of
//! the call they are on. Nothing is read for them: a board opened mid-call shows the lines said
//! from then on (reading every call's transcript on opening would be one request per operator
//! on a call), and the full transcript is in 対応履歴 once the call ends.

import { signal } from '@preact/signals';
import { onLive } from '../live';
import type { TranscriptLine } from '../state/transcript';
import { withLine } from '../state/transcript';

/** How many lines a card keeps of its call. */
export const CARD_LINES = 3;

/** The last lines of each call heard on the board, by CallSid. */
export const boardTranscripts = signal<Record<string, TranscriptLine[]>>({});

function put(call: string, lines: TranscriptLine[]): void {
  boardTranscripts.value = { ...boardTranscripts.peek(), [call]: lines.slice(-CARD_LINES) };
}

/** Hears the board's transcript lines; returns the stop function (which forgets them). */
export function startBoardTranscripts(): () => void {
  const stop = onLive((m) => {
    if (m.type !== 'transcript_line') return;
    put(m.line.call, withLine(boardTranscripts.peek()[m.line.call] ?? [], m.line));
  });
  return () => {
    stop();
    boardTranscripts.value = {};
  };
}
