// PostgreSQL COPY text format, at the byte level.
// A row ends with 0x0A and fields are split by 0x09; inside a field those bytes (and
// the backslash) only ever appear escaped, and no UTF-8 continuation byte can equal
// them, so a row can be cut on raw bytes without decoding it first.

export const TAB = 0x09;
export const NEWLINE = 0x0a;
export const BACKSLASH = 0x5c;

export function isNullField(buf: Buffer, start: number, end: number): boolean {
  return end - start === 2 && buf[start] === BACKSLASH && buf[start + 1] === 0x4e;
}

/** The one-letter escapes: what COPY FROM reads, and (with the backslash) what COPY TO writes. */
const LETTER_ESCAPES = [
  ['b', 8],
  ['f', 12],
  ['n', 10],
  ['r', 13],
  ['t', 9],
  ['v', 11],
] as const;

/** Escape letter → the byte it stands for (-1: not a one-letter escape). */
const SIMPLE_ESCAPE = new Int16Array(256).fill(-1);
/** Byte → the letter that escapes it when written (0: written as it is). */
const ESCAPE_LETTER = new Uint8Array(256);
for (const [letter, byte] of LETTER_ESCAPES) {
  SIMPLE_ESCAPE[letter.charCodeAt(0)] = byte;
  ESCAPE_LETTER[byte] = letter.charCodeAt(0);
}
ESCAPE_LETTER[BACKSLASH] = BACKSLASH;

export function hexDigit(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}

/**
 * Undoes the escapes of one field of COPY text, src[start, end), into out from `pos`, and
 * returns where the bytes end (never more than the field's length). Handles every escape
 * COPY FROM accepts, including octal and hex byte escapes, which are decoded as bytes so
 * that a multi-byte character written as escapes comes back whole.
 */
export function unescapeInto(src: Buffer, start: number, end: number, out: Buffer, pos: number): number {
  let i = start;
  while (i < end) {
    const c = src[i]!;
    if (c !== BACKSLASH || i + 1 >= end) {
      out[pos++] = c;
      i++;
      continue;
    }
    const next = src[i + 1]!;
    const simple = SIMPLE_ESCAPE[next]!;
    if (simple >= 0) {
      out[pos++] = simple;
      i += 2;
    } else if (next >= 0x30 && next <= 0x37) {
      let value = 0;
      let j = i + 1;
      while (j < end && j < i + 4 && src[j]! >= 0x30 && src[j]! <= 0x37) value = value * 8 + (src[j++]! - 0x30);
      out[pos++] = value & 0xff;
      i = j;
    } else if (next === 0x78 && i + 2 < end && hexDigit(src[i + 2]) >= 0) {
      let value = hexDigit(src[i + 2]);
      let j = i + 3;
      if (j < end && hexDigit(src[j]) >= 0) value = value * 16 + hexDigit(src[j++]);
      out[pos++] = value;
      i = j;
    } else {
      // Any other escaped character stands for itself (this covers \\).
      out[pos++] = next;
      i += 2;
    }
  }
  return pos;
}

/** Decodes one field of COPY text into its value (null for `\N`). */
export function decodeField(buf: Buffer, start: number, end: number): string | null {
  if (isNullField(buf, start, end)) return null;
  const firstEscape = buf.indexOf(BACKSLASH, start);
  if (firstEscape === -1 || firstEscape >= end) return buf.toString('utf8', start, end);
  const bytes = Buffer.allocUnsafe(end - start);
  const n = unescapeInto(buf, firstEscape, end, bytes, buf.copy(bytes, 0, start, firstEscape));
  return bytes.toString('utf8', 0, n);
}

// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[\\\n\r\t\b\f\v]/;
// eslint-disable-next-line no-control-regex
const ESCAPABLE = /[\\\n\r\t\b\f\v]/g;
const ESCAPED: Record<string, string> = Object.fromEntries([...LETTER_ESCAPES.map(([letter, byte]) => [String.fromCharCode(byte), `\\${letter}`]), ['\\', '\\\\']]);

/** Encodes a value as one COPY text field (without the separator). */
export function encodeField(value: string | null): string {
  if (value === null) return '\\N';
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(ESCAPABLE, (ch) => ESCAPED[ch]!);
}

/**
 * Writes a value's own bytes, src[start, end), as one COPY text field into out at `pos`
 * (at most twice as many bytes); returns where it ends. encodeField for bytes: no string
 * in between.
 */
export function escapeInto(src: Buffer, start: number, end: number, out: Buffer, pos: number): number {
  for (let i = start; i < end; i++) {
    const byte = src[i]!;
    const letter = ESCAPE_LETTER[byte]!;
    if (letter === 0) {
      out[pos++] = byte;
    } else {
      out[pos++] = BACKSLASH;
      out[pos++] = letter;
    }
  }
  return pos;
}

/** Encodes a whole row, newline included. */
export function encodeRow(values: readonly (string | null)[]): string {
  return values.map(encodeField).join('\t') + '\n';
}
