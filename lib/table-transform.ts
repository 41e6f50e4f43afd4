import { Transform, type TransformCallback } from 'node:stream';
import { ByteSink } from './byte-sink.js';
import { NEWLINE } from './copy-text.js';
import { CopiarError } from './errors.js';
import { RowEngine, type RawRejection, type RowCounters } from './row-engine.js';
import type { AnyTableSpec, FastRule } from './spec.js';

export interface RejectSink {
  /** The row is a view that is only valid during the call. */
  write(rejection: RawRejection): void;
  /** A promise while the reject file is applying backpressure, else null. */
  ready(): Promise<void> | null;
}

export interface TableTransformOptions {
  spec: AnyTableSpec;
  rejects: RejectSink;
  lookupRules?: Record<string, FastRule>;
  /** Size of the buffers handed to COPY FROM. */
  outputChunkSize?: number;
}

/**
 * COPY text of the source SELECT in, COPY text of the target table out. The shell only
 * cuts the input into whole rows (a row may span chunks) and moves buffers; the rules
 * live in RowEngine.
 */
export class TableTransform extends Transform {
  private readonly engine: RowEngine;
  private readonly sink: ByteSink;
  private readonly rejects: RejectSink;
  private pending: Buffer[] = [];
  private bytesIn = 0;

  constructor(options: TableTransformOptions) {
    super({ readableHighWaterMark: options.outputChunkSize ?? 256 * 1024, writableHighWaterMark: 256 * 1024 });
    this.sink = new ByteSink((chunk) => this.push(chunk), options.outputChunkSize);
    this.rejects = options.rejects;
    this.engine = new RowEngine(options.spec, this.sink, (row) => this.rejects.write(row), options.lookupRules);
  }

  get counters(): RowCounters {
    return this.engine.counters;
  }

  get bytesRead(): number {
    return this.bytesIn;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytesIn += chunk.length;
    try {
      let start = 0;
      if (this.pending.length > 0) {
        const newline = chunk.indexOf(NEWLINE);
        if (newline < 0) {
          this.pending.push(chunk);
          callback();
          return;
        }
        const row = Buffer.concat([...this.pending, chunk.subarray(0, newline + 1)]);
        this.pending = [];
        this.engine.processRows(row, 0, row.length);
        start = newline + 1;
      }
      const lastNewline = chunk.lastIndexOf(NEWLINE);
      if (lastNewline >= start) {
        this.engine.processRows(chunk, start, lastNewline + 1);
        start = lastNewline + 1;
      }
      if (start < chunk.length) this.pending.push(chunk.subarray(start));
      this.sink.flushIfFull();
    } catch (error) {
      callback(error as Error);
      return;
    }
    const waiting = this.rejects.ready();
    if (waiting === null) callback();
    else waiting.then(() => callback(), callback);
  }

  override _flush(callback: TransformCallback): void {
    if (this.pending.some((piece) => piece.length > 0)) {
      callback(new CopiarError('TABLA_FALLIDA', 'el flujo COPY terminó a mitad de una fila', { exitCode: 1 }));
      return;
    }
    this.sink.flush();
    callback();
  }
}
