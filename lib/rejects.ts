import { closeSync, mkdirSync, openSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
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
 * During the copy the rows only go to a spool beside it (reject-spool.ts); close()
 * writes the CSV from the spool, while the caller has the server build the indexes.
 */
export class RejectFile implements RejectSink {
  readonly path: string;
  private readonly spool: SpoolWriter;
  private readonly header: boolean;
  private readonly columns: string[];
  private readonly decode: (reason: string, detail: string, row: Buffer) => RejectRecord;
  private closing: Promise<void> | null = null;

  /** With `part`, one chunk's rejects, without header, merged by mergeRejectParts. */
  constructor(reportDir: string, spec: AnyTableSpec, options: { part?: number } = {}) {
    const dir = options.part === undefined ? path.join(reportDir, 'rejects') : partsDir(reportDir);
    mkdirSync(dir, { recursive: true });
    this.path = options.part === undefined ? path.join(dir, `${spec.target}.csv`) : partPath(reportDir, spec.target, options.part);
    this.header = options.part === undefined;
    this.columns = ['motivo', 'detalle', 'id_origen', ...spec.source.columns];
    this.decode = rejectDecoder(spec);
    this.spool = new SpoolWriter(path.join(dir, `.${path.basename(this.path)}.crudo`));
  }

  write(rejection: RawRejection): void {
    this.spool.write(rejection.reason, rejection.detail, rejection.row);
  }

  ready(): Promise<void> | null {
    return this.spool.ready();
  }

  /** Writes the CSV from what was spooled; once, however many times it is called. */
  close(): Promise<void> {
    return (this.closing ??= this.writeCsv());
  }

  private async writeCsv(): Promise<void> {
    await this.spool.close();
    const out = await open(this.path, 'w');
    try {
      const encoded = Buffer.allocUnsafe(ENCODED_BYTES);
      let batch: RejectRecord[] = [];
      let header = this.header;
      const flush = async (): Promise<void> => {
        const text = stringify(batch, { header, columns: this.columns, cast: CAST });
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
      for await (const r of readSpool(this.spool.path)) {
        batch.push(this.decode(r.reason, r.detail, r.row));
        if (batch.length === BATCH_ROWS) await flush();
      }
      if (batch.length > 0 || header) await flush();
    } finally {
      await out.close();
    }
    rmSync(this.spool.path);
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
  return path.join(partsDir(reportDir), `${table}.${String(part).padStart(6, '0')}.csv`);
}

/**
 * Joins the chunks' reject files, in chunk order, under one header: the same file an
 * uninterrupted run writes, however many times the run was stopped and resumed.
 */
export function mergeRejectParts(reportDir: string, table: string, sourceColumns: readonly string[], parts: number): string {
  const target = path.join(reportDir, 'rejects', `${table}.csv`);
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, ['motivo', 'detalle', 'id_origen', ...sourceColumns].join(',') + '\n');
  // Block by block: a big table's part can hold hundreds of MB of rejects.
  const block = Buffer.allocUnsafe(1 << 20);
  const out = openSync(target, 'a');
  try {
    for (let i = 0; i < parts; i++) {
      const part = partPath(reportDir, table, i);
      const input = openSync(part, 'r');
      try {
        let n: number;
        while ((n = readSync(input, block, 0, block.length, null)) > 0) writeSync(out, block, 0, n);
      } finally {
        closeSync(input);
      }
      rmSync(part);
    }
  } finally {
    closeSync(out);
  }
  return target;
}
