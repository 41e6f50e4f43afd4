import { once } from 'node:events';
import { createWriteStream, mkdirSync } from 'node:fs';
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

  constructor(reportDir: string, table: string, sourceColumns: readonly string[]) {
    const dir = path.join(reportDir, 'rejects');
    mkdirSync(dir, { recursive: true });
    this.path = path.join(dir, `${table}.csv`);
    this.csv = stringify({
      header: true,
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
