import { isUtf8 } from 'node:buffer';
import { isNullField, unescapeInto } from '../pg/copy-text.js';

// The reject CSV straight from the COPY text bytes of the rows, for the bulk copy's
// hundreds of thousands of rejects: decoding each field into a string and handing the
// strings to csv-stringify cost 26 µs a row (10 s at 5M messages, on the server's cores
// while they build the indexes). The text is the one csv-stringify writes with the
// options in reject-csv.ts (test/reject-csv-bytes-as-csv-stringify.ts holds them to
// it): fields quoted only when they hold a comma, a quote, CR or LF, quotes doubled,
// NULL an empty field, an empty string "", every record ending in LF. Byte by byte is
// safe: no byte of a multi-byte UTF-8 character is ASCII.

const COMMA = 0x2c;
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** The most bytes a field of `length` bytes (COPY text or UTF-8) can take in the CSV. */
export function csvRoom(length: number): number {
  return 2 * length + 2;
}

/**
 * The value's bytes sit at out[pos + 1, end): quotes them where the CSV needs it and
 * returns where the field ends (the bytes move back to `pos` when they need none).
 */
function quoteInPlace(out: Buffer, pos: number, end: number): number {
  let quotes = 0;
  let special = false;
  for (let i = pos + 1; i < end; i++) {
    const byte = out[i]!;
    if (byte === QUOTE) quotes++;
    else if (byte === COMMA || byte === LF || byte === CR) special = true;
  }
  if (quotes === 0 && !special) {
    out.copyWithin(pos, pos + 1, end);
    return end - 1;
  }
  out[pos] = QUOTE;
  if (quotes > 0) {
    // Doubled from the back, so that no byte is overwritten before it moves.
    let from = end - 1;
    let to = end - 1 + quotes;
    while (from > pos) {
      const byte = out[from--]!;
      out[to--] = byte;
      if (byte === QUOTE) out[to--] = QUOTE;
    }
  }
  out[end + quotes] = QUOTE;
  return end + quotes + 1;
}

/** One field of COPY text, src[start, end), as a CSV field in out at `pos`; returns its end. */
export function csvFieldFromCopyText(src: Buffer, start: number, end: number, out: Buffer, pos: number): number {
  if (isNullField(src, start, end)) return pos;
  if (start === end) {
    out[pos] = QUOTE;
    out[pos + 1] = QUOTE;
    return pos + 2;
  }
  return quoteInPlace(out, pos, unescapeInto(src, start, end, out, pos + 1));
}

/**
 * What a byte of a row's COPY text asks of the reject CSV: nothing (its field's bytes are
 * the CSV field as they are), a field's end, or the careful path (an escape, a quote, a
 * comma, CR or LF: csvFieldFromCopyText).
 */
export const PLAIN_BYTE = 0;
export const FIELD_END = 1;
export const CAREFUL_BYTE = 2;
export const COPY_BYTE_CLASS = new Uint8Array(256);
COPY_BYTE_CLASS[0x09] = FIELD_END;
for (const byte of [0x5c, QUOTE, COMMA, CR, LF]) COPY_BYTE_CLASS[byte] = CAREFUL_BYTE;

/** A field of COPY text without a CAREFUL_BYTE, src[start, end), as its CSV field in out at `pos`. */
export function csvFieldFromPlainCopyText(src: Buffer, start: number, end: number, out: Buffer, pos: number): number {
  if (start === end) {
    out[pos] = QUOTE;
    out[pos + 1] = QUOTE;
    return pos + 2;
  }
  // A native copy costs more than a short field's bytes.
  if (end - start < 32) {
    for (let i = start; i < end; i++) out[pos++] = src[i]!;
    return pos;
  }
  return pos + src.copy(out, pos, start, end);
}

/** A string (or NULL) as a CSV field in out at `pos`; returns its end. */
export function csvFieldFromString(value: string | null, out: Buffer, pos: number): number {
  if (value === null) return pos;
  if (value === '') {
    out[pos] = QUOTE;
    out[pos + 1] = QUOTE;
    return pos + 2;
  }
  return quoteInPlace(out, pos, pos + 1 + out.write(value, pos + 1));
}

/**
 * True when a record written from bytes is the text csv-stringify would write: the
 * strings it quotes are decoded first, and a byte sequence that is not UTF-8 comes back
 * as U+FFFD, so such a record is written again from its decoded strings.
 */
export function sameAsDecoded(out: Buffer, start: number, end: number): boolean {
  return isUtf8(out.subarray(start, end));
}
