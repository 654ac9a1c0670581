//! Where the records of a CSV file end, found on its bytes — so the file can be sent in chunks of
//! whole records without decoding it. In UTF-8 and Shift_JIS the bytes `"`, `,` and `\n` only
//! ever mean themselves (Shift_JIS's second bytes are 0x40 and above), so the scan is the same
//! for both. Quotes are read the way the server's CSV reader (the `csv` crate) reads them: a
//! quote opens a quoted field only at the start of a field, `""` inside one is a quote, and a
//! line break inside one belongs to the field.

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;

// The reader's states.
const START_FIELD = 0;
const IN_FIELD = 1;
const QUOTED = 2;
const QUOTE_IN_QUOTED = 3;

/** The records of a file: where each ends, the line it starts on, and whether it holds data. */
export interface Records {
  /** Byte offset just past each record (its line break, or the end of the file). */
  ends: number[];
  /** The line of the file (1-based, counting every `\n`) each record starts on. */
  lines: number[];
  /** Whether a record has any value (the server skips blank and all-empty rows). */
  filled: boolean[];
}

function blank(b: number): boolean {
  return b === COMMA || b === QUOTE || b === 0x0d || b === 0x20 || b === 0x09;
}

/** Finds every record of the file. */
export function scanRecords(bytes: Uint8Array): Records {
  const ends: number[] = [];
  const lines: number[] = [];
  const filled: boolean[] = [];
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let state: number = START_FIELD;
  let line = 1;
  let startLine = 1;
  let hasValue = false;
  let open = false;
  const close = (end: number) => {
    ends.push(end);
    lines.push(startLine);
    filled.push(hasValue);
    hasValue = false;
    open = false;
    state = START_FIELD;
  };
  for (let i = bom; i < bytes.length; i++) {
    const b = bytes[i];
    if (!open) {
      open = true;
      startLine = line;
    }
    if (b === LF) line++;
    if (!hasValue && !blank(b) && b !== LF) hasValue = true;
    switch (state) {
      case START_FIELD:
        if (b === QUOTE) state = QUOTED;
        else if (b === LF) close(i + 1);
        else if (b !== COMMA) state = IN_FIELD;
        break;
      case IN_FIELD:
        if (b === COMMA) state = START_FIELD;
        else if (b === LF) close(i + 1);
        break;
      case QUOTED:
        if (b === QUOTE) state = QUOTE_IN_QUOTED;
        break;
      case QUOTE_IN_QUOTED:
        if (b === QUOTE) state = QUOTED;
        else if (b === COMMA) state = START_FIELD;
        else if (b === LF) close(i + 1);
        else state = IN_FIELD;
        break;
    }
  }
  if (open) close(bytes.length);
  return { ends, lines, filled };
}

/** Where record `i` starts. */
export function recordStart(r: Records, i: number): number {
  return i === 0 ? 0 : r.ends[i - 1];
}

/**
 * How much of the file's beginning to send for a preview: whole records up to `limit` bytes (at
 * least the first record, which the preview needs; `null` when even that is longer).
 */
export function previewEnd(r: Records, limit: number): number | null {
  let end: number | null = null;
  for (const e of r.ends) {
    if (e > limit) break;
    end = e;
  }
  return end;
}

/** A run of whole records sent in one request. */
export interface Chunk {
  start: number;
  end: number;
  /** The line of the file the chunk starts on. */
  firstLine: number;
  /** Records with data in it. */
  rows: number;
}

export interface Plan {
  chunks: Chunk[];
  /** Records with data, the header left out. */
  rows: number;
  /** The line of a record larger than a chunk may be (the file is imported up to it), or `null`. */
  oversizedLine: number | null;
}

/**
 * Cuts the data records (all of them, or those after the first filled one — the header) into
 * chunks of at most `maxRows` records and `maxBytes` bytes.
 */
export function planChunks(r: Records, header: boolean, maxRows: number, maxBytes: number): Plan {
  let first = 0;
  if (header) {
    while (first < r.ends.length && !r.filled[first]) first++;
    first++;
  }
  const chunks: Chunk[] = [];
  let rows = 0;
  let oversizedLine: number | null = null;
  let current: Chunk | null = null;
  let records = 0;
  for (let i = first; i < r.ends.length; i++) {
    const start = recordStart(r, i);
    const end = r.ends[i];
    if (end - start > maxBytes) {
      oversizedLine = r.lines[i];
      break;
    }
    if (current && (records + 1 > maxRows || end - current.start > maxBytes)) {
      if (current.rows > 0) chunks.push(current);
      current = null;
    }
    if (!current) {
      current = { start, end, firstLine: r.lines[i], rows: 0 };
      records = 0;
    }
    current.end = end;
    records++;
    if (r.filled[i]) {
      current.rows++;
      rows++;
    }
  }
  if (current && current.rows > 0) chunks.push(current);
  return { chunks, rows, oversizedLine };
}
