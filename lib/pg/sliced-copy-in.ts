import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom, type CopyStreamQuery } from 'pg-copy-streams';
import { BINARY_HEADER, BINARY_TRAILER } from './copy-binary.js';

export interface SlicedCopyInConfig {
  /** The sessions that take the slices, in turn. */
  clients: readonly pg.ClientBase[];
  /** The `COPY ... FROM STDIN` every slice runs. */
  copySql: string;
  /**
   * The rows are COPY binary without the signature and end, and `copySql` says FORMAT
   * binary: each slice gets its own.
   */
  binary?: boolean;
  /** A slice ends at the first chunk boundary at or past this many bytes of COPY text. */
  sliceBytes: number;
  /**
   * Runs on the session that took a slice, once its COPY has completed there. With two
   * sessions or more it runs while the next slice streams into another session; a
   * session takes its next slice only after its hook is done.
   */
  afterSlice: (client: pg.ClientBase, rows: number) => Promise<void>;
}

/**
 * One stream of COPY rows (text, or binary) into a sequence of `COPY ... FROM STDIN` statements, with
 * `afterSlice` after each: a consumer that only needs each piece for a moment (verify
 * digests a slice of a temporary table, then empties it) keeps the server's working set
 * to a slice per session. Chunks must end at row boundaries, as the TableTransform's do.
 */
export class SlicedCopyIn extends Writable {
  private readonly config: SlicedCopyInConfig;
  private current: { copy: CopyStreamQuery; client: pg.ClientBase } | undefined;
  private bytesInSlice = 0;
  private slices = 0;
  private readonly hooks = new Map<pg.ClientBase, Promise<void>>();
  /** Rows the server took, over all slices. */
  rowCount = 0;

  /** Takes COPY binary rows, framing each slice itself. */
  get binary(): boolean {
    return this.config.binary === true;
  }

  constructor(config: SlicedCopyInConfig) {
    super({ highWaterMark: 256 * 1024 });
    if (!(config.sliceBytes > 0)) throw new RangeError(`sliceBytes debe ser positivo, se recibió ${config.sliceBytes}`);
    if (config.clients.length === 0) throw new RangeError('hace falta al menos una sesión');
    this.config = config;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.current !== undefined) {
      this.writeChunk(chunk, callback);
      return;
    }
    const { clients } = this.config;
    const client = clients[this.slices++ % clients.length]!;
    (this.hooks.get(client) ?? Promise.resolve()).then(() => {
      this.current = { copy: this.startSlice(client), client };
      this.writeChunk(chunk, callback);
    }, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    (this.current === undefined ? Promise.resolve() : this.endSlice())
      .then(() => Promise.all(this.hooks.values()))
      .then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // pg-copy-streams' own _destroy sends CopyFail, so the server ends the statement.
    const copy = this.current?.copy;
    this.current = undefined;
    if (copy !== undefined && !copy.destroyed) copy.destroy(error ?? new Error('copia por tramos interrumpida'));
    callback(error);
  }

  private writeChunk(chunk: Buffer, callback: (error?: Error | null) => void): void {
    const { copy } = this.current!;
    this.bytesInSlice += chunk.length;
    const next = (): void => {
      if (this.bytesInSlice < this.config.sliceBytes) callback();
      else this.endSlice().then(() => callback(), callback);
    };
    if (copy.write(chunk)) next();
    else copy.once('drain', next);
  }

  private startSlice(client: pg.ClientBase): CopyStreamQuery {
    const copy = client.query(copyFrom(this.config.copySql));
    // A failure while this stream waits for 'drain' would otherwise never call back.
    copy.on('error', (error: Error) => this.destroy(error));
    if (this.binary) copy.write(BINARY_HEADER);
    return copy;
  }

  private async endSlice(): Promise<void> {
    const { copy, client } = this.current!;
    this.current = undefined;
    this.bytesInSlice = 0;
    copy.end(this.binary ? BINARY_TRAILER : undefined);
    await finished(copy);
    this.rowCount += copy.rowCount;
    const hook = this.config.afterSlice(client, copy.rowCount);
    this.hooks.set(client, hook);
    if (this.config.clients.length === 1) await hook;
    // Running beside the next slice: its failure ends the stream.
    else hook.catch((error: Error) => this.destroy(error));
  }
}
