import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom, type CopyStreamQuery } from 'pg-copy-streams';

export interface SlicedCopyInConfig {
  client: pg.ClientBase;
  /** The `COPY ... FROM STDIN` every slice runs. */
  copySql: string;
  /** A slice ends at the first chunk boundary at or past this many bytes of COPY text. */
  sliceBytes: number;
  /** Runs once each slice's COPY has completed on the server, before the next slice starts. */
  afterSlice: (rows: number) => Promise<void>;
}

/**
 * One stream of COPY text into a sequence of `COPY ... FROM STDIN` statements on the same
 * session, with `afterSlice` between them: a consumer that only needs each piece for a
 * moment (verify digests a slice of a temporary table, then empties it) keeps the
 * server's working set to one slice. Chunks must end at row boundaries, as the
 * TableTransform's do.
 */
export class SlicedCopyIn extends Writable {
  private readonly config: SlicedCopyInConfig;
  private current: CopyStreamQuery | undefined;
  private bytesInSlice = 0;
  /** Rows the server took, over all slices. */
  rowCount = 0;

  constructor(config: SlicedCopyInConfig) {
    super({ highWaterMark: 256 * 1024 });
    if (!(config.sliceBytes > 0)) throw new RangeError(`sliceBytes debe ser positivo, se recibió ${config.sliceBytes}`);
    this.config = config;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const copy = (this.current ??= this.startSlice());
    this.bytesInSlice += chunk.length;
    const next = (): void => {
      if (this.bytesInSlice < this.config.sliceBytes) callback();
      else this.endSlice().then(() => callback(), callback);
    };
    if (copy.write(chunk)) next();
    else copy.once('drain', next);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.current === undefined) callback();
    else this.endSlice().then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // pg-copy-streams' own _destroy sends CopyFail, so the server ends the statement.
    const copy = this.current;
    this.current = undefined;
    if (copy !== undefined && !copy.destroyed) copy.destroy(error ?? new Error('copia por tramos interrumpida'));
    callback(error);
  }

  private startSlice(): CopyStreamQuery {
    const copy = this.config.client.query(copyFrom(this.config.copySql));
    // A failure while this stream waits for 'drain' would otherwise never call back.
    copy.on('error', (error: Error) => this.destroy(error));
    return copy;
  }

  private async endSlice(): Promise<void> {
    const copy = this.current!;
    this.current = undefined;
    this.bytesInSlice = 0;
    copy.end();
    await finished(copy);
    this.rowCount += copy.rowCount;
    await this.config.afterSlice(copy.rowCount);
  }
}
