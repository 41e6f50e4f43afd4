import { once } from 'node:events';
import { closeSync, createWriteStream, mkdirSync, openSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { stringify, type Stringifier } from 'csv-stringify';
import type { RejectedRow } from './row-engine.js';
import type { RejectSink } from './table-transform.js';

/**
 * `<report-dir>/rejects/<tabla>.csv`: motivo, detalle, id_origen, then every source
 * column with its original value. NULL is an empty unquoted field and '' is `""`, so
 * the two stay apart in a spreadsheet.
 */
export class RejectFile implements RejectSink {
  readonly path: string;
  private readonly csv: Stringifier;
  private readonly done: Promise<void>;
  private draining: Promise<void> | null = null;

  /** With `part`, one chunk's rejects, without header, merged by mergeRejectParts. */
  constructor(reportDir: string, table: string, sourceColumns: readonly string[], options: { part?: number } = {}) {
    const dir = options.part === undefined ? path.join(reportDir, 'rejects') : partsDir(reportDir);
    mkdirSync(dir, { recursive: true });
    this.path = options.part === undefined ? path.join(dir, `${table}.csv`) : partPath(reportDir, table, options.part);
    this.csv = stringify({
      header: options.part === undefined,
      columns: ['motivo', 'detalle', 'id_origen', ...sourceColumns],
      // Only a real empty string is quoted; NULL stays an empty unquoted field.
      cast: { string: (value) => (value === '' ? { value: '', quoted_empty: true } : value) },
    });
    const file = createWriteStream(this.path);
    this.csv.pipe(file);
    this.done = finished(file);
    // The file's own errors surface through close().
    this.done.catch(() => undefined);
  }

  write(row: RejectedRow): void {
    if (!this.csv.write([row.reason, row.detail, row.sourceId, ...row.values]) && this.draining === null) {
      this.draining = once(this.csv, 'drain').then(() => {
        this.draining = null;
      });
    }
  }

  ready(): Promise<void> | null {
    return this.draining;
  }

  async close(): Promise<void> {
    this.csv.end();
    await this.done;
  }
}

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
