import { Transform, type TransformCallback } from 'node:stream';
import { CopiarError } from '../errors.js';
import { BINARY_HEADER, BINARY_TRAILER, type BinaryColumn } from '../pg/copy-binary.js';
import { binaryHeaderLength, isBinaryTrailer, type SourceType } from '../pg/copy-binary-in.js';
import { NEWLINE } from '../pg/copy-text.js';
import type { FastRule } from '../rules/types.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import { BinaryInputEngine, type JoinInProcess } from './binary-input-engine.js';
import { ByteSink } from './byte-sink.js';
import type { RowCounts } from './counts.js';
import { RowEngine, type RawRejection } from './row-engine.js';

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
  /**
   * The longest row accepted, in bytes: input that goes on longer without a newline is
   * not COPY text, and holding it would only exhaust memory. PostgreSQL caps a field at
   * 1 GB.
   */
  maxRowBytes?: number;
  /** Write COPY binary, each column as given (binary-row-writer.ts), instead of COPY text. */
  binary?: readonly BinaryColumn[];
  /** Binary rows only, without the signature and end: the consumer frames them (SlicedCopyIn). */
  binaryRowsOnly?: boolean;
  /** The input is COPY binary with fields of these types (needs `binary` out too). */
  binaryInput?: readonly SourceType[];
  /** With binaryInput: a prepared join done here, its fields arriving as its keys. */
  joinInProcess?: JoinInProcess;
}

const DEFAULT_MAX_ROW_BYTES = 1024 * 1024 * 1024;

/**
 * COPY text of the source SELECT in, COPY text or binary of the target table out. The shell only
 * cuts the input into whole rows (a row may span chunks) and moves buffers; the rules
 * live in RowEngine.
 */
export class TableTransform extends Transform {
  private readonly engine: RowEngine | BinaryInputEngine;
  private readonly sink: ByteSink;
  private readonly rejects: RejectSink;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly maxRowBytes: number;
  private bytesIn = 0;
  /** Writes the binary format's signature and end around the rows. */
  private readonly framesBinary: boolean;
  /** The engine when the input is COPY binary. */
  private readonly binaryEngine: BinaryInputEngine | null = null;
  private binaryHeaderSeen = false;
  private binaryTrailerSeen = false;
  /** Bytes the held row still needs at least before it is worth looking at again. */
  private missing = 0;

  constructor(options: TableTransformOptions) {
    super({ readableHighWaterMark: options.outputChunkSize ?? 256 * 1024, writableHighWaterMark: 256 * 1024 });
    this.sink = new ByteSink((chunk) => this.push(chunk), options.outputChunkSize);
    this.rejects = options.rejects;
    const onReject = (row: RawRejection): void => this.rejects.write(row);
    if (options.binaryInput !== undefined) {
      if (options.binary === undefined) throw new Error(`${options.spec.target}: entrada binaria sin salida binaria`);
      this.binaryEngine = new BinaryInputEngine(options.spec, this.sink, onReject, options.lookupRules ?? {}, options.binary, options.binaryInput, options.joinInProcess);
      this.engine = this.binaryEngine;
    } else {
      if (options.joinInProcess !== undefined) throw new Error(`${options.spec.target}: un join hecho aquí necesita entrada binaria`);
      this.engine = new RowEngine(options.spec, this.sink, onReject, options.lookupRules, options.binary);
    }
    this.maxRowBytes = options.maxRowBytes ?? DEFAULT_MAX_ROW_BYTES;
    this.framesBinary = options.binary !== undefined && options.binaryRowsOnly !== true;
    if (this.framesBinary) this.writeWhole(BINARY_HEADER);
  }

  get counters(): RowCounts {
    return this.engine.counters;
  }

  get bytesRead(): number {
    return this.bytesIn;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytesIn += chunk.length;
    try {
      if (this.binaryEngine !== null) this.binaryRows(chunk);
      else this.textRows(chunk);
      this.sink.flushIfFull();
    } catch (error) {
      callback(error as Error);
      return;
    }
    const waiting = this.rejects.ready();
    if (waiting === null) callback();
    else waiting.then(() => callback(), callback);
  }

  private textRows(chunk: Buffer): void {
    let start = 0;
    if (this.pending.length > 0) {
      const newline = chunk.indexOf(NEWLINE);
      if (newline < 0) {
        this.hold(chunk);
        return;
      }
      const row = Buffer.concat([...this.pending, chunk.subarray(0, newline + 1)]);
      this.pending = [];
      this.pendingBytes = 0;
      this.engine.processRows(row, 0, row.length);
      start = newline + 1;
    }
    const lastNewline = chunk.lastIndexOf(NEWLINE);
    if (lastNewline >= start) {
      this.engine.processRows(chunk, start, lastNewline + 1);
      start = lastNewline + 1;
    }
    if (start < chunk.length) this.hold(chunk.subarray(start));
  }

  /**
   * Whole rows of COPY binary by their lengths. A row cut by the chunk is held, and only
   * the bytes it still needs are joined to it (never the rest of the next chunk).
   */
  private binaryRows(chunk: Buffer): void {
    let offset = 0;
    while (this.pendingBytes > 0) {
      if (chunk.length - offset < this.missing) {
        this.missing -= chunk.length - offset;
        this.hold(chunk.subarray(offset));
        return;
      }
      const held = Buffer.concat([...this.pending, chunk.subarray(offset, offset + this.missing)]);
      offset += this.missing;
      this.pending = [];
      this.pendingBytes = 0;
      const used = this.binaryWalk(held, 0);
      if (used < held.length) this.hold(held.subarray(used));
    }
    const used = this.binaryWalk(chunk, offset);
    if (used < chunk.length) this.hold(chunk.subarray(used));
  }

  /** Processes the header, rows and end found whole in buf from `start`; returns where it stopped (`missing` says what for). */
  private binaryWalk(buf: Buffer, start: number): number {
    if (!this.binaryHeaderSeen) {
      const header = binaryHeaderLength(buf, start, buf.length);
      if (header < 0) {
        this.missing = -header;
        return start;
      }
      this.binaryHeaderSeen = true;
      start += header;
    }
    const engine = this.binaryEngine!;
    let pos = start;
    while (pos < buf.length) {
      if (this.binaryTrailerSeen) throw new CopiarError('COPY_MALFORMADO', 'el flujo COPY binario sigue después de su final');
      if (isBinaryTrailer(buf, pos, buf.length)) {
        this.binaryTrailerSeen = true;
        pos += 2;
        continue;
      }
      const next = engine.processRows(buf, pos, buf.length);
      if (next === pos) {
        this.missing = engine.missing;
        break;
      }
      pos = next;
    }
    return pos;
  }

  /** Keeps the start of a row that goes on in a later chunk. */
  private hold(piece: Buffer): void {
    this.pendingBytes += piece.length;
    if (this.pendingBytes > this.maxRowBytes) {
      throw new CopiarError('COPY_MALFORMADO', `una fila de COPY pasa de ${this.maxRowBytes} bytes sin terminar (fila ${this.engine.counters.read + 1}): no es texto COPY válido`);
    }
    this.pending.push(piece);
  }

  override _flush(callback: TransformCallback): void {
    if (this.pendingBytes > 0) {
      callback(new CopiarError('COPY_MALFORMADO', 'el flujo COPY terminó a mitad de una fila'));
      return;
    }
    if (this.binaryEngine !== null && !this.binaryTrailerSeen) {
      callback(new CopiarError('COPY_MALFORMADO', 'el flujo COPY binario terminó sin su final'));
      return;
    }
    if (this.framesBinary) this.writeWhole(BINARY_TRAILER);
    this.sink.flush();
    callback();
  }

  /** Bytes outside any row: the binary format's signature and end. */
  private writeWhole(bytes: Buffer): void {
    this.sink.writeBytes(bytes, 0, bytes.length);
    this.sink.endRow();
  }
}
