import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { open, type FileHandle } from 'node:fs/promises';
import { stringify } from 'csv-stringify/sync';
import { TAB, decodeField } from './copy-text.js';
import { readSpool, SpoolWriter } from './reject-spool.js';
import type { RawRejection } from './row-engine.js';
import { sourceFields } from './select.js';
import type { AnyTableSpec } from './spec.js';
import type { RejectSink } from './table-transform.js';

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

/**
 * `<report-dir>/rejects/<tabla>.csv`: motivo, detalle, id_origen, then every source
 * column with its original value. NULL is an empty unquoted field and '' is `""`, so
 * the two stay apart in a spreadsheet.
 *
 * During the copy the rows only go to a spool (reject-spool.ts). Closing an atomic
 * table's file writes the CSV from its spool, while the caller has the server build the
 * indexes; a range's spool is a part, kept until the table's final commit and turned
 * into the CSV by mergeRejectParts.
 */
export class RejectFile implements RejectSink {
  /** The CSV, or for a range the part. */
  readonly path: string;
  private readonly spool: SpoolWriter;
  private readonly spec: AnyTableSpec;
  private readonly part: boolean;
  private closing: Promise<void> | null = null;

  constructor(reportDir: string, spec: AnyTableSpec, options: { part?: number } = {}) {
    this.spec = spec;
    this.part = options.part !== undefined;
    if (options.part === undefined) {
      const dir = path.join(reportDir, 'rejects');
      mkdirSync(dir, { recursive: true });
      this.path = path.join(dir, `${spec.target}.csv`);
      this.spool = new SpoolWriter(path.join(dir, `.${spec.target}.csv.crudo`));
    } else {
      mkdirSync(partsDir(reportDir), { recursive: true });
      this.path = partPath(reportDir, spec.target, options.part);
      this.spool = new SpoolWriter(this.path);
    }
  }

  write(rejection: RawRejection): void {
    this.spool.write(rejection.reason, rejection.detail, rejection.row);
  }

  ready(): Promise<void> | null {
    return this.spool.ready();
  }

  /** Ends the spool and, but for a part, writes the CSV; once, however many times it is called. */
  close(): Promise<void> {
    return (this.closing ??= this.finish());
  }

  private async finish(): Promise<void> {
    await this.spool.close();
    if (this.part) return;
    await writeRejectCsv(this.path, this.spec, [this.spool.path]);
    rmSync(this.spool.path);
  }
}

/** The CSV with its header, from spools read in order. */
async function writeRejectCsv(target: string, spec: AnyTableSpec, spools: readonly string[]): Promise<void> {
  const columns = ['motivo', 'detalle', 'id_origen', ...spec.source.columns];
  const decode = rejectDecoder(spec);
  const out = await open(target, 'w');
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
        if (batch.length === BATCH_ROWS) await flush();
      }
    }
    if (batch.length > 0 || header) await flush();
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

function partsDir(reportDir: string): string {
  return path.join(reportDir, 'rejects', '.tramos');
}

function partPath(reportDir: string, table: string, part: number): string {
  return path.join(partsDir(reportDir), `${table}.${String(part).padStart(6, '0')}.crudo`);
}

function partPaths(reportDir: string, table: string, parts: number): string[] {
  return Array.from({ length: parts }, (_, i) => partPath(reportDir, table, i));
}

/**
 * Writes the CSV from the ranges' parts, in range order: the same file an uninterrupted
 * run writes, however many times the run was stopped and resumed. The parts stay until
 * removeRejectParts, after the table's final commit: a resume may need them again.
 */
export async function mergeRejectParts(reportDir: string, spec: AnyTableSpec, parts: number): Promise<string> {
  const target = path.join(reportDir, 'rejects', `${spec.target}.csv`);
  mkdirSync(path.dirname(target), { recursive: true });
  await writeRejectCsv(target, spec, partPaths(reportDir, spec.target, parts));
  return target;
}

export function removeRejectParts(reportDir: string, table: string, parts: number): void {
  for (const part of partPaths(reportDir, table, parts)) rmSync(part, { force: true });
}
