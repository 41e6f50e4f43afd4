// PostgreSQL COPY binary format, written from fields of COPY text.
// The server parses binary input with each type's receive function: a uuid is 16 bytes,
// a timestamp 8, text its UTF-8 bytes as they are. For the target that is about half the
// work of parsing text (measured on `mensajes`, see the README), and the transform only
// has to undo escapes and read hex digits and dates, which it does cheaply.
import { CopiarError } from '../errors.js';
import { BACKSLASH, decodeField, encodeField, hexDigit, isNullField, unescapeInto } from './copy-text.js';

/** The signature, the flags (no OIDs) and an empty header extension. */
export const BINARY_HEADER = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
/** A field count of -1 ends the data. */
export const BINARY_TRAILER = Buffer.from([0xff, 0xff]);

/** Where bytes of the row in progress are written (ByteSink). */
export interface BinaryOut {
  room(n: number): Buffer;
  readonly position: number;
  advance(to: number): void;
  writeBytes(src: Buffer, start: number, end: number): void;
}

/**
 * Finds backslashes without scanning a whole chunk once per field: the position of the
 * next one is kept, and stays valid for every field that starts before it.
 */
export class EscapeScan {
  private buf: Buffer | null = null;
  private from = 0;
  private next = -1;

  /** Forgets what it found: the next input may be a buffer seen before, holding other bytes. */
  reset(): void {
    this.buf = null;
  }

  /** True when src[start, end) holds a backslash. */
  has(src: Buffer, start: number, end: number): boolean {
    if (src !== this.buf || start < this.from || (this.next >= 0 && start > this.next)) {
      this.buf = src;
      this.from = start;
      this.next = src.indexOf(BACKSLASH, start);
    }
    return this.next >= 0 && this.next < end;
  }
}

export type BinaryEncoder = (src: Buffer, start: number, end: number, out: BinaryOut, scan: EscapeScan) => void;

export function writeInt16(buf: Buffer, pos: number, value: number): number {
  buf[pos] = (value >>> 8) & 0xff;
  buf[pos + 1] = value & 0xff;
  return pos + 2;
}

export function writeInt32(buf: Buffer, pos: number, value: number): number {
  buf[pos] = (value >>> 24) & 0xff;
  buf[pos + 1] = (value >>> 16) & 0xff;
  buf[pos + 2] = (value >>> 8) & 0xff;
  buf[pos + 3] = value & 0xff;
  return pos + 4;
}

function writeNull(out: BinaryOut): void {
  const buf = out.room(4);
  out.advance(writeInt32(buf, out.position, -1));
}

function valueError(type: string, src: Buffer, start: number, end: number): CopiarError {
  return new CopiarError('COPY_MALFORMADO', `un valor que no es ${type} como lo escribe PostgreSQL: ${JSON.stringify(src.toString('utf8', start, Math.min(end, start + 80)))}`);
}

/** TEXT and VARCHAR: the bytes themselves (`prefix` first: JSONB's version byte). */
function textEncoder(prefix: number | null): BinaryEncoder {
  const extra = prefix === null ? 0 : 1;
  return (src, start, end, out, scan) => {
    if (isNullField(src, start, end)) return writeNull(out);
    const escaped = scan.has(src, start, end);
    // Without escapes the length is known before the bytes; with them, only after.
    const buf = out.room(4 + extra + (escaped ? end - start : 0));
    const at = out.position;
    let pos = at + 4;
    if (prefix !== null) buf[pos++] = prefix;
    if (!escaped) {
      writeInt32(buf, at, extra + end - start);
      out.advance(pos);
      out.writeBytes(src, start, end);
      return;
    }
    pos = unescapeInto(src, start, end, buf, pos);
    writeInt32(buf, at, pos - at - 4);
    out.advance(pos);
  };
}

const HEX = new Int8Array(256).fill(-1);
for (let c = 0; c < 256; c++) HEX[c] = hexDigit(c);

/** UUID: what uuid_in reads (braces, and a hyphen after any group of four digits allowed). */
const uuidEncoder: BinaryEncoder = (src, start, end, out, scan) => {
  if (isNullField(src, start, end)) return writeNull(out);
  if (scan.has(src, start, end)) {
    const text = Buffer.from(decodeField(src, start, end)!);
    return uuidEncoder(text, 0, text.length, out, new EscapeScan());
  }
  const buf = out.room(20);
  const at = out.position;
  let i = start;
  let last = end;
  if (src[i] === 0x7b) {
    if (src[last - 1] !== 0x7d) throw valueError('un uuid', src, start, end);
    i++;
    last--;
  }
  let pos = at + 4;
  for (let digit = 0; digit < 32; digit += 2) {
    if (digit > 0 && digit % 4 === 0 && src[i] === 0x2d && i + 1 < last) i++;
    const high = i < last ? HEX[src[i]!]! : -1;
    const low = i + 1 < last ? HEX[src[i + 1]!]! : -1;
    if (high < 0 || low < 0) throw valueError('un uuid', src, start, end);
    buf[pos++] = (high << 4) | low;
    i += 2;
  }
  if (i !== last) throw valueError('un uuid', src, start, end);
  writeInt32(buf, at, 16);
  out.advance(pos);
};

const US_PER_DAY = 86_400_000_000;
const TWO_32 = 4_294_967_296;
/** Days before which (or after) a timestamp in microseconds no longer fits a double exactly. */
const EXACT_DAYS = 100_000;

/** Days from 2000-01-01 to y-m-d of the proleptic Gregorian calendar (year 0 is 1 BC). */
export function daysFrom2000(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 730425;
}

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

function digits(src: Buffer, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const d = src[i]! - 0x30;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

function matches(src: Buffer, start: number, end: number, text: string): boolean {
  if (end - start !== text.length) return false;
  for (let i = 0; i < text.length; i++) if (src[start + i] !== text.charCodeAt(i)) return false;
  return true;
}

/**
 * TIMESTAMP (without time zone) from the text PostgreSQL writes with DateStyle ISO (the
 * sessions set it): `YYYY-MM-DD HH:MM:SS[.ffffff]` or a date alone, a year of four digits or more, ` BC`,
 * `infinity`, `-infinity`. An offset, which a timestamptz source would add, is read and
 * ignored, as the text input of a timestamp column ignores it.
 */
export function timestampMicros(src: Buffer, start: number, end: number): number | bigint | null {
  if (matches(src, start, end, 'infinity')) return 0x7fffffffffffffffn;
  if (matches(src, start, end, '-infinity')) return -0x8000000000000000n;
  let bc = false;
  if (end - start > 3 && matches(src, end - 3, end, ' BC')) {
    bc = true;
    end -= 3;
  }
  let i = start;
  while (i < end && src[i]! >= 0x30 && src[i]! <= 0x39) i++;
  const yearDigits = i - start;
  if (yearDigits < 4 || yearDigits > 9 || i + 6 > end || src[i] !== 0x2d || src[i + 3] !== 0x2d) return null;
  let year = digits(src, start, yearDigits);
  const month = digits(src, i + 1, 2);
  const day = digits(src, i + 4, 2);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(bc ? 1 - year : year, month)) return null;
  i += 6;
  // A date alone (a DATE source column) is midnight, as the text input reads it.
  let hour = 0;
  let minute = 0;
  let second = 0;
  if (i < end) {
    if (i + 9 > end || src[i] !== 0x20 || src[i + 3] !== 0x3a || src[i + 6] !== 0x3a) return null;
    hour = digits(src, i + 1, 2);
    minute = digits(src, i + 4, 2);
    second = digits(src, i + 7, 2);
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return null;
    i += 9;
  }
  let micros = 0;
  if (i < end && src[i] === 0x2e) {
    let scale = 100_000;
    i++;
    const first = i;
    while (i < end && src[i]! >= 0x30 && src[i]! <= 0x39) {
      if (i - first >= 6) return null;
      micros += (src[i]! - 0x30) * scale;
      scale /= 10;
      i++;
    }
    if (i === first) return null;
  }
  if (i < end) {
    // An offset: +HH, +HH:MM or +HH:MM:SS.
    if (src[i] !== 0x2b && src[i] !== 0x2d) return null;
    const rest = end - i - 1;
    if (!(rest === 2 || rest === 5 || rest === 8) || digits(src, i + 1, 2) < 0 || (rest > 2 && (src[i + 3] !== 0x3a || digits(src, i + 4, 2) < 0)) || (rest > 5 && (src[i + 6] !== 0x3a || digits(src, i + 7, 2) < 0))) return null;
  }
  if (bc) year = 1 - year;
  const days = daysFrom2000(year, month, day);
  const ofDay = ((hour * 60 + minute) * 60 + second) * 1_000_000 + micros;
  if (days > -EXACT_DAYS && days < EXACT_DAYS) return days * US_PER_DAY + ofDay;
  return BigInt(days) * BigInt(US_PER_DAY) + BigInt(ofDay);
}

const timestampEncoder: BinaryEncoder = (src, start, end, out, scan) => {
  if (isNullField(src, start, end)) return writeNull(out);
  const value = scan.has(src, start, end) ? null : timestampMicros(src, start, end);
  if (value === null) throw valueError('una fecha y hora', src, start, end);
  const buf = out.room(12);
  const at = writeInt32(buf, out.position, 8);
  if (typeof value === 'bigint') {
    buf.writeBigInt64BE(value, at);
  } else {
    const high = Math.floor(value / TWO_32);
    writeInt32(buf, at, high);
    writeInt32(buf, at + 4, value - high * TWO_32);
  }
  out.advance(at + 8);
};

const BOOLEANS = new Map<string, number>();
for (const word of ['t', 'tr', 'tru', 'true', 'y', 'ye', 'yes', 'on', '1']) BOOLEANS.set(word, 1);
for (const word of ['f', 'fa', 'fal', 'fals', 'false', 'n', 'no', 'of', 'off', '0']) BOOLEANS.set(word, 0);

/** BOOLEAN: the words boolin accepts. */
const booleanEncoder: BinaryEncoder = (src, start, end, out) => {
  const text = decodeField(src, start, end);
  if (text === null) return writeNull(out);
  const value = BOOLEANS.get(text.trim().toLowerCase());
  if (value === undefined) throw valueError('un booleano', src, start, end);
  const buf = out.room(5);
  buf[writeInt32(buf, out.position, 1)] = value;
  out.advance(out.position + 5);
};

/** INTEGER: decimal digits with an optional sign, blanks around them allowed. */
const integerEncoder: BinaryEncoder = (src, start, end, out) => {
  const text = decodeField(src, start, end);
  if (text === null) return writeNull(out);
  const value = /^\s*[+-]?\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < -2147483648 || value > 2147483647) throw valueError('un entero', src, start, end);
  const buf = out.room(8);
  writeInt32(buf, writeInt32(buf, out.position, 4), value);
  out.advance(out.position + 8);
};

/** A rule's result as TEXT or VARCHAR (`prefix` first: JSONB's version byte), straight from the string. */
function stringWriter(prefix: number | null): BinaryValueWriter {
  const extra = prefix === null ? 0 : 1;
  return (value, out) => {
    if (value === null) return writeNull(out);
    // UTF-8 needs at most 3 bytes per UTF-16 unit.
    const buf = out.room(4 + extra + value.length * 3);
    const at = out.position;
    let pos = at + 4;
    if (prefix !== null) buf[pos++] = prefix;
    pos += buf.write(value, pos, 'utf8');
    writeInt32(buf, at, pos - at - 4);
    out.advance(pos);
  };
}

/** A rule's result for a column of any other type: as its COPY text, through the encoder. */
function throughText(encode: BinaryEncoder): BinaryValueWriter {
  const scan = new EscapeScan();
  return (value, out) => {
    const text = Buffer.from(encodeField(value));
    encode(text, 0, text.length, out, scan);
  };
}

export type BinaryValueWriter = (value: string | null, out: BinaryOut) => void;

/** How one column is written: from a field of COPY text, and from a rule's result. */
export interface BinaryColumn {
  encode: BinaryEncoder;
  value: BinaryValueWriter;
}

/**
 * How a column of this type (as format_type prints it) is written, or null when the
 * table must go as text (NUMERIC and anything else not written here).
 */
export function binaryColumnFor(canonicalType: string): BinaryColumn | null {
  if (canonicalType === 'text' || canonicalType.startsWith('character varying')) return { encode: textEncoder(null), value: stringWriter(null) };
  if (canonicalType === 'jsonb') return { encode: textEncoder(1), value: stringWriter(1) };
  const encode = binaryEncoderFor(canonicalType);
  return encode === null ? null : { encode, value: throughText(encode) };
}

function binaryEncoderFor(canonicalType: string): BinaryEncoder | null {
  if (canonicalType === 'uuid') return uuidEncoder;
  if (canonicalType === 'timestamp without time zone') return timestampEncoder;
  if (canonicalType === 'boolean') return booleanEncoder;
  if (canonicalType === 'integer') return integerEncoder;
  return null;
}
