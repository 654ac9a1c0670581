// The live transcript beside the memo: pushed phrases take their place by sequence whatever order
// they arrive in, a phrase Twilio sent twice shows once, and 「メモに追加」 adds the phrase to the
// end of the memo on a line of its own, labelled with who said it, as the memo's own buttons do.
import { beforeEach, describe, expect, it } from 'vitest';
import { memoText, resetMemo, setMemoText } from './memo';
import type { TranscriptLine } from './transcript';
import { addToMemo, withLine } from './transcript';

const line = (seq: number, speaker: TranscriptLine['speaker'], text: string): TranscriptLine => ({
  call: 'CA1',
  seq,
  speaker,
  text,
  at: '2026-12-03T01:02:03.000Z',
});

describe('the live transcript', () => {
  beforeEach(() => resetMemo(null));

  it('keeps phrases in the order they were said, each once', () => {
    let lines: TranscriptLine[] = [];
    for (const l of [line(3, 'customer', 'c'), line(1, 'operator', 'a'), line(3, 'customer', 'c'), line(2, 'customer', 'b')]) {
      lines = withLine(lines, l);
    }
    expect(lines.map((l) => l.text)).toEqual(['a', 'b', 'c']);
  });

  it('adds a phrase to the end of the memo on its own line, labelled with who said it', () => {
    addToMemo(line(1, 'customer', '請求書が届いていません'));
    expect(memoText.value).toBe('【お客様】請求書が届いていません');
    setMemoText(`${memoText.value}\n確認する`, memoText.value.length, 'typing');
    addToMemo(line(2, 'operator', '本日再送いたします'));
    expect(memoText.value).toBe('【お客様】請求書が届いていません\n確認する\n【オペレータ】本日再送いたします');
  });
});
