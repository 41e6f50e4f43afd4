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

const SIMPLE_ESCAPES: Record<number, string> = {
  0x62: '\b', // \b
  0x66: '\f', // \f
  0x6e: '\n', // \n
  0x72: '\r', // \r
  0x74: '\t', // \t
  0x76: '\v', // \v
};

function isOctal(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x37;
}

function hexValue(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/**
 * Decodes one field of COPY text into its value (null for `\N`). Handles every escape
 * COPY FROM accepts, including octal and hex byte escapes, which are decoded as bytes
 * so that a multi-byte character written as escapes comes back whole.
 */
export function decodeField(buf: Buffer, start: number, end: number): string | null {
  if (isNullField(buf, start, end)) return null;
  const firstEscape = buf.indexOf(BACKSLASH, start);
  if (firstEscape === -1 || firstEscape >= end) return buf.toString('utf8', start, end);
  const bytes = Buffer.allocUnsafe(end - start);
  let n = buf.copy(bytes, 0, start, firstEscape);
  let i = firstEscape;
  while (i < end) {
    const c = buf[i]!;
    if (c !== BACKSLASH || i + 1 >= end) {
      bytes[n++] = c;
      i++;
      continue;
    }
    const next = buf[i + 1]!;
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      bytes[n++] = simple.charCodeAt(0);
      i += 2;
    } else if (isOctal(next)) {
      let value = 0;
      let j = i + 1;
      while (j < end && j < i + 4 && isOctal(buf[j])) value = value * 8 + (buf[j++]! - 0x30);
      bytes[n++] = value & 0xff;
      i = j;
    } else if (next === 0x78 && hexValue(buf[i + 2]) >= 0 && i + 2 < end) {
      let value = hexValue(buf[i + 2]);
      let j = i + 3;
      if (j < end && hexValue(buf[j]) >= 0) value = value * 16 + hexValue(buf[j++]);
      bytes[n++] = value;
      i = j;
    } else {
      // Any other escaped character stands for itself (this covers \\).
      bytes[n++] = next;
      i += 2;
    }
  }
  return bytes.toString('utf8', 0, n);
}

// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[\\\n\r\t\b\f\v]/;
// eslint-disable-next-line no-control-regex
const ESCAPABLE = /[\\\n\r\t\b\f\v]/g;
const ESCAPED: Record<string, string> = {
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
  '\v': '\\v',
};

/** Encodes a value as one COPY text field (without the separator). */
export function encodeField(value: string | null): string {
  if (value === null) return '\\N';
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(ESCAPABLE, (ch) => ESCAPED[ch]!);
}

/** Encodes a whole row, newline included. */
export function encodeRow(values: readonly (string | null)[]): string {
  return values.map(encodeField).join('\t') + '\n';
}
