// Reading PostgreSQL COPY binary, as the source sends it with `FORMAT binary`.
// A row is a 16-bit field count and, per field, a 32-bit length (-1 for NULL) and that
// many bytes in the type's send format. Finding a row's end is a walk over lengths, with
// no byte of a value looked at; a uuid or a timestamp arrives as the 16 or 8 bytes the
// target's binary COPY wants, so it passes through without being printed and parsed.
import { CopiarError } from '../errors.js';
import { BINARY_HEADER } from './copy-binary.js';
import { escapeInto } from './copy-text.js';

/** The source types read in binary, by the OID RowDescription gives. */
const SOURCE_TYPES = new Map<number, SourceType>([
  [25, 'text'],
  [1043, 'text'],
  [114, 'text'],
  [2950, 'uuid'],
  [1114, 'timestamp'],
  [3802, 'jsonb'],
]);

/** How a source field's bytes are read: text, varchar and json are their UTF-8 text. */
export type SourceType = 'text' | 'uuid' | 'timestamp' | 'jsonb';

/** The length of the signature, flags and extension, or minus the bytes still missing before it is known. */
export function binaryHeaderLength(buf: Buffer, start: number, end: number): number {
  const fixed = BINARY_HEADER.length;
  if (end - start < 11 && buf.compare(BINARY_HEADER, 0, end - start, start, end) !== 0) throw notBinary();
  if (end - start < fixed) return -(start + fixed - end);
  if (buf.compare(BINARY_HEADER, 0, 11, start, start + 11) !== 0) throw notBinary();
  const total = fixed + buf.readUInt32BE(start + fixed - 4);
  return end - start < total ? -(start + total - end) : total;
}

function notBinary(): CopiarError {
  return new CopiarError('COPY_MALFORMADO', 'el origen no envió la firma de COPY binario');
}

/** The trailer: a field count of -1. */
export function isBinaryTrailer(buf: Buffer, start: number, end: number): boolean {
  return end - start >= 2 && buf.readInt16BE(start) === -1;
}

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
const HYPHEN = 0x2d;

/** A uuid's 16 bytes at `start` as uuid_out writes them (36 bytes), into out at `pos`; returns its end. */
export function uuidInto(buf: Buffer, start: number, out: Buffer, pos: number): number {
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) out[pos++] = HYPHEN;
    const byte = buf[start + i]!;
    out[pos++] = HEX_DIGITS[byte >> 4]!;
    out[pos++] = HEX_DIGITS[byte & 15]!;
  }
  return pos;
}

const UUID_TEXT = Buffer.allocUnsafe(36);

/** A uuid's 16 bytes at `start` as uuid_out writes them. */
export function uuidText(buf: Buffer, start = 0): string {
  // One string, not the hex and its five slices.
  uuidInto(buf, start, UUID_TEXT, 0);
  return UUID_TEXT.toString('latin1', 0, 36);
}

const US_PER_DAY = 86_400_000_000n;
const MAX_TIMESTAMP = 0x7fffffffffffffffn;
const MIN_TIMESTAMP = -0x8000000000000000n;

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** A timestamp as timestamp_out writes it with DateStyle ISO, the form COPY text gives. */
export function timestampText(micros: bigint): string {
  if (micros === MAX_TIMESTAMP) return 'infinity';
  if (micros === MIN_TIMESTAMP) return '-infinity';
  let days = micros / US_PER_DAY;
  let ofDay = micros - days * US_PER_DAY;
  if (ofDay < 0n) {
    ofDay += US_PER_DAY;
    days -= 1n;
  }
  // Days from 2000-01-01 to a proleptic Gregorian date (the inverse of daysFrom2000).
  const z = Number(days) + 730425;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const us = Number(ofDay);
  const seconds = Math.floor(us / 1_000_000);
  const fraction = us - seconds * 1_000_000;
  let text = `${pad(year > 0 ? year : 1 - year, 4)}-${pad(month, 2)}-${pad(day, 2)} ${pad(Math.floor(seconds / 3600), 2)}:${pad(Math.floor(seconds / 60) % 60, 2)}:${pad(seconds % 60, 2)}`;
  if (fraction !== 0) text += '.' + pad(fraction, 6).replace(/0+$/, '');
  return year > 0 ? text : text + ' BC';
}

/** A field's value as the text COPY text would have given (null for NULL): for rules and reject files. */
export function binaryFieldText(type: SourceType, buf: Buffer, start: number, end: number): string {
  switch (type) {
    case 'text':
      return buf.toString('utf8', start, end);
    case 'uuid':
      if (end - start !== 16) throw new CopiarError('COPY_MALFORMADO', `un uuid de ${end - start} bytes`);
      return uuidText(buf, start);
    case 'timestamp':
      if (end - start !== 8) throw new CopiarError('COPY_MALFORMADO', `un timestamp de ${end - start} bytes`);
      return timestampText(buf.readBigInt64BE(start));
    case 'jsonb':
      return buf.toString('utf8', valueTextStart(type, buf, start, end), end);
  }
}

/** The most bytes binaryFieldCopyText writes for a value of `length` bytes. */
export function copyTextRoom(length: number): number {
  return Math.max(2 * length, 48);
}

/**
 * A non-NULL field as one field of COPY text, written into out at `pos` (copyTextRoom
 * bytes free); returns where it ends. The same bytes as encodeField(binaryFieldText(...)),
 * without a string in between: the reject file's rows, on the copy's path.
 */
export function binaryFieldCopyText(type: SourceType, buf: Buffer, start: number, end: number, out: Buffer, pos: number): number {
  if (type === 'uuid') {
    if (end - start !== 16) throw new CopiarError('COPY_MALFORMADO', `un uuid de ${end - start} bytes`);
    return uuidInto(buf, start, out, pos);
  }
  if (type === 'timestamp') return pos + out.write(binaryFieldText(type, buf, start, end), pos, 'latin1');
  return escapeInto(buf, valueTextStart(type, buf, start, end), end, out, pos);
}

/** Where a non-NULL value's own text starts: after jsonb's version byte, which is checked. */
export function valueTextStart(type: SourceType, buf: Buffer, start: number, end: number): number {
  if (type !== 'jsonb') return start;
  if (end - start < 1 || buf[start] !== 1) throw new CopiarError('COPY_MALFORMADO', 'un jsonb binario de una versión desconocida');
  return start + 1;
}

/** Each field's type to read it in binary, or null when some type is not read here (the table is then read as text). */
export function sourceTypesOf(oids: readonly number[]): SourceType[] | null {
  const types: SourceType[] = [];
  for (const oid of oids) {
    const type = SOURCE_TYPES.get(oid);
    if (type === undefined) return null;
    types.push(type);
  }
  return types;
}
