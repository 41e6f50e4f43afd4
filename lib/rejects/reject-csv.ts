import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { TAB, decodeField } from '../pg/copy-text.js';
import { PRIVATE_FILE_MODE, makePrivateDir } from '../private-files.js';
import { sourceFields } from '../table-spec/field-order.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import { readSpool } from './spool.js';

/** One reject file line: motivo, detalle, id_origen, then the source columns' values. */
export type RejectRecord = (string | null)[];

/** Decodes a rejected row's COPY text (every field of the source SELECT) into its reject record. */
export function rejectDecoder(spec: AnyTableSpec): (reason: string, detail: string, row: Buffer) => RejectRecord {
  const fields = sourceFields(spec);
  const wanted = [spec.source.idColumn, ...spec.source.columns].map((name) => fields.indexOf(name));
  const starts = new Int32Array(fields.length + 1);
  return (reason, detail, row) => {
    // A byte loop: a native indexOf per field costs more than the bytes it skips.
    let field = 1;
    for (let i = 0; i < row.length && field < fields.length; i++) if (row[i] === TAB) starts[field++] = i + 1;
    starts[fields.length] = row.length + 1;
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
  const columns = ['motivo', 'detalle', 'id_origen', ...spec.source.columns];
  const decode = rejectDecoder(spec);
  makePrivateDir(path.dirname(target));
  const out = await open(target, 'w', PRIVATE_FILE_MODE);
  // A file left by an earlier run keeps its mode when opened again.
  await out.chmod(PRIVATE_FILE_MODE);
  try {
    const encoded = Buffer.allocUnsafe(ENCODED_BYTES);
    let batch: RejectRecord[] = [];
    let header = true;
    const flush = async (): Promise<void> => {
      const text = stringify(batch, { header, columns, cast: CAST });
      header = false;
      batch = [];
      // Through one reused buffer: a buffer per write was garbage the collector saw late.
      if (Buffer.byteLength(text) <= encoded.length) {
        await writeAll(out, encoded, encoded.write(text));
      } else {
        const large = Buffer.from(text);
        await writeAll(out, large, large.length);
      }
    };
    for (const spool of spools) {
      for await (const r of readSpool(spool)) {
        batch.push(decode(r.reason, r.detail, r.row));
        byReason[r.reason] = (byReason[r.reason] ?? 0) + 1;
        if (batch.length === BATCH_ROWS) await flush();
      }
    }
    if (batch.length > 0 || header) await flush();
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
    const columns = ['motivo', 'detalle', 'id_origen', ...spec.source.columns];
    const text = Buffer.from(stringify(records as RejectRecord[], { header, columns, cast: CAST }));
    await writeAll(out, text, text.length);
    await out.sync();
  } finally {
    await out.close();
  }
}

async function writeAll(file: FileHandle, buf: Buffer, length: number): Promise<void> {
  for (let done = 0; done < length; ) done += (await file.write(buf, done, length - done)).bytesWritten;
}

/** Rows per stringify call: their text stays small enough to die young. */
const BATCH_ROWS = 100;
const ENCODED_BYTES = 1 << 20;
// Only a real empty string is quoted; NULL stays an empty unquoted field.
const CAST = { string: (value: string) => (value === '' ? { value: '', quoted_empty: true } : value) };

