import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { decodeField } from '../pg/copy-text.js';
import { PRIVATE_FILE_MODE, makePrivateDir } from '../private-files.js';
import { sourceFields } from '../table-spec/field-order.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import { CAREFUL_BYTE, COPY_BYTE_CLASS, FIELD_END, PLAIN_BYTE, csvFieldFromCopyText, csvFieldFromPlainCopyText, csvFieldFromString, csvRoom, sameAsDecoded } from './csv-bytes.js';
import { readSpool } from './spool.js';

/** One reject file line: motivo, detalle, id_origen, then the source columns' values. */
export type RejectRecord = (string | null)[];

/**
 * The fields of a rejected row's COPY text (every field of the source SELECT) that its
 * reject record holds, in the record's order, and how many fields the row has.
 */
function rejectFields(spec: AnyTableSpec): { wanted: number[]; fieldCount: number } {
  const fields = sourceFields(spec);
  return { wanted: [spec.source.idColumn, ...spec.source.columns].map((name) => fields.indexOf(name)), fieldCount: fields.length };
}

/**
 * One walk over a row's COPY text (a byte loop: a native indexOf per field costs more
 * than the bytes it skips) that finds where each field starts (field f is starts[f] ..
 * starts[f + 1] - 1) and marks those whose bytes are not already their CSV field
 * (careful[f] not 0: an escape, a quote, a comma or a line break); the arrays are reused
 * from row to row.
 */
function fieldClassifier(fieldCount: number): { starts: Int32Array; careful: Uint8Array; classify: (row: Buffer) => void } {
  const starts = new Int32Array(fieldCount + 1);
  const careful = new Uint8Array(fieldCount);
  const classify = (row: Buffer): void => {
    let field = 0;
    let mark = PLAIN_BYTE;
    for (let i = 0; i < row.length; i++) {
      const kind = COPY_BYTE_CLASS[row[i]!]!;
      if (kind === PLAIN_BYTE) continue;
      if (kind === FIELD_END && field + 1 < fieldCount) {
        careful[field++] = mark;
        starts[field] = i + 1;
        mark = PLAIN_BYTE;
      } else {
        mark = CAREFUL_BYTE;
      }
    }
    careful[field] = mark;
    starts[fieldCount] = row.length + 1;
  };
  return { starts, careful, classify };
}

/** Decodes a rejected row's COPY text into its reject record. */
export function rejectDecoder(spec: AnyTableSpec): (reason: string, detail: string, row: Buffer) => RejectRecord {
  const { wanted, fieldCount } = rejectFields(spec);
  const { starts, classify } = fieldClassifier(fieldCount);
  return (reason, detail, row) => {
    classify(row);
    const record: RejectRecord = new Array(2 + wanted.length);
    record[0] = reason;
    record[1] = detail;
    for (let k = 0; k < wanted.length; k++) {
      const f = wanted[k]!;
      record[2 + k] = decodeField(row, starts[f]!, starts[f + 1]! - 1);
    }
    return record;
  };
}

/** How many rejected rows of each `motivo`. */
export type RejectsByReason = Record<string, number>;

/** The CSV with its header, from spools read in order; returns the rows of each motivo. */
export async function writeRejectCsv(target: string, spec: AnyTableSpec, spools: readonly string[]): Promise<RejectsByReason> {
  const byReason: RejectsByReason = {};
  const { wanted, fieldCount } = rejectFields(spec);
  const { starts, careful, classify } = fieldClassifier(fieldCount);
  const decode = rejectDecoder(spec);
  makePrivateDir(path.dirname(target));
  const out = await open(target, 'w', PRIVATE_FILE_MODE);
  // A file left by an earlier run keeps its mode when opened again.
  await out.chmod(PRIVATE_FILE_MODE);
  try {
    // Through one reused buffer: a buffer per write was garbage the collector saw late.
    let text = Buffer.allocUnsafe(ENCODED_BYTES);
    let pos = text.write(rejectCsvText(spec, [], true));
    for (const spool of spools) {
      for await (const { reason, detail, row } of readSpool(spool)) {
        byReason[reason] = (byReason[reason] ?? 0) + 1;
        classify(row);
        // The id is in the record twice (id_origen and its own column): room per field.
        let room = csvRoom(Buffer.byteLength(reason)) + csvRoom(Buffer.byteLength(detail)) + wanted.length + 2;
        for (const f of wanted) room += csvRoom(starts[f + 1]! - 1 - starts[f]!);
        if (pos + room > text.length) {
          await writeAll(out, text, pos);
          pos = 0;
          if (room > text.length) text = Buffer.allocUnsafe(room);
        }
        const start = pos;
        pos = csvFieldFromString(reason, text, pos);
        text[pos++] = COMMA;
        pos = csvFieldFromString(detail, text, pos);
        for (let k = 0; k < wanted.length; k++) {
          const f = wanted[k]!;
          text[pos++] = COMMA;
          pos = careful[f] === PLAIN_BYTE ? csvFieldFromPlainCopyText(row, starts[f]!, starts[f + 1]! - 1, text, pos) : csvFieldFromCopyText(row, starts[f]!, starts[f + 1]! - 1, text, pos);
        }
        text[pos++] = LF;
        if (!sameAsDecoded(text, start, pos)) {
          const record = Buffer.from(rejectCsvText(spec, [decode(reason, detail, row)], false));
          if (start + record.length > text.length) {
            await writeAll(out, text, start);
            await writeAll(out, record, record.length);
            pos = 0;
          } else {
            pos = start + record.copy(text, start);
          }
        }
      }
    }
    await writeAll(out, text, pos);
  } finally {
    await out.close();
  }
  return byReason;
}

/**
 * Adds records at the end of a table's CSV (the follow mode's rejects), with the header
 * when the file is new: the bulk copy's rows stay and the changes' rows follow them.
 */
export async function appendRejectCsv(target: string, spec: AnyTableSpec, records: readonly RejectRecord[]): Promise<void> {
  if (records.length === 0) return;
  makePrivateDir(path.dirname(target));
  const out = await open(target, 'a', PRIVATE_FILE_MODE);
  try {
    const header = (await out.stat()).size === 0;
    const text = Buffer.from(rejectCsvText(spec, records, header));
    await writeAll(out, text, text.length);
    await out.sync();
  } finally {
    await out.close();
  }
}

async function writeAll(file: FileHandle, buf: Buffer, length: number): Promise<void> {
  for (let done = 0; done < length; ) done += (await file.write(buf, done, length - done)).bytesWritten;
}

/**
 * Records as reject CSV text, by csv-stringify: the follow mode's few rows, and the
 * reference that the bulk copy's byte writer (csv-bytes.ts) must match.
 */
export function rejectCsvText(spec: AnyTableSpec, records: readonly RejectRecord[], header: boolean): string {
  return stringify(records as RejectRecord[], { header, columns: ['motivo', 'detalle', 'id_origen', ...spec.source.columns], cast: CAST });
}

const ENCODED_BYTES = 1 << 20;
const COMMA = 0x2c;
const LF = 0x0a;
// Only a real empty string is quoted; NULL stays an empty unquoted field.
const CAST = { string: (value: string) => (value === '' ? { value: '', quoted_empty: true } : value) };

