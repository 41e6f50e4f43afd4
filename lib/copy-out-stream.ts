import { Readable } from 'node:stream';
import type { Connection, Submittable } from 'pg';

// Backend message codes seen during COPY OUT.
const COPY_DATA = 0x64; // 'd'
const COPY_DONE = 0x63; // 'c'
const ERROR_RESPONSE = 0x45; // 'E'

interface PgConnection {
  stream: NodeJS.ReadableStream & { listeners(event: 'data'): ((chunk: Buffer) => void)[]; destroy(): void };
  query(text: string): void;
}

export interface CopyOutStreamOptions {
  /** Size of the buffers pushed downstream. */
  chunkSize?: number;
}

/**
 * `COPY ... TO STDOUT` as a Readable of plain COPY text, for pg's Client.query().
 *
 * It takes over the connection's socket the way pg-copy-streams' copy-to does, but strips
 * the protocol framing with a header scan and one copy per message into large output
 * buffers: pg-copy-streams keeps a buffer list and slices every CopyData message (one per
 * row), which cost as much CPU as all the row rules of `mensajes` together. When the
 * copy ends (CopyDone) or fails (ErrorResponse), the socket and the bytes after that
 * point go back to pg, which completes or fails the query as usual.
 */
export class CopyOutStream extends Readable implements Submittable {
  readonly text: string;
  rowCount = 0;
  private connection: PgConnection | null = null;
  private pgDataHandler: ((chunk: Buffer) => void) | null = null;
  private readonly onReadable = (): void => this.forward();
  private wanted = false;
  private forwarding = false;
  private finished = false;
  // Parser state carried across socket chunks.
  private header = Buffer.alloc(5);
  private headerLength = 0;
  private code = 0;
  private remaining = 0;
  private out: Buffer;
  private outLength = 0;
  private readonly chunkSize: number;

  constructor(text: string, options: CopyOutStreamOptions = {}) {
    super({ highWaterMark: options.chunkSize ?? 256 * 1024 });
    this.text = text;
    this.chunkSize = options.chunkSize ?? 256 * 1024;
    this.out = Buffer.allocUnsafe(this.chunkSize);
  }

  /** Called by pg when the query is sent. */
  submit(pgConnection: Connection): void {
    // pg does not type the socket it exposes; pg-copy-streams relies on the same field.
    const connection = pgConnection as unknown as PgConnection;
    this.connection = connection;
    const stream = connection.stream;
    const listeners = stream.listeners('data');
    if (listeners.length !== 1) {
      this.destroy(new Error(`se esperaba un solo lector del socket de pg, hay ${listeners.length}`));
      return;
    }
    this.pgDataHandler = listeners[0]!;
    stream.removeListener('data', this.pgDataHandler);
    stream.pause();
    stream.on('readable', this.onReadable);
    connection.query(this.text);
  }

  override _read(): void {
    this.wanted = true;
    this.forward();
  }

  private forward(): void {
    if (this.forwarding || !this.wanted || this.connection === null || this.finished) return;
    this.forwarding = true;
    const stream = this.connection.stream;
    let chunk: Buffer | null;
    while (this.wanted && !this.finished && (chunk = stream.read() as Buffer | null) !== null) this.parse(chunk);
    this.forwarding = false;
  }

  private parse(chunk: Buffer): void {
    let pos = 0;
    const length = chunk.length;
    while (pos < length) {
      if (this.remaining === 0 && this.headerLength < 5) {
        if (this.headerLength === 0 && chunk[pos] === ERROR_RESPONSE) {
          this.handBack(chunk.subarray(pos));
          return;
        }
        while (this.headerLength < 5 && pos < length) this.header[this.headerLength++] = chunk[pos++]!;
        if (this.headerLength < 5) break;
        this.code = this.header[0]!;
        this.remaining = this.header.readUInt32BE(1) - 4;
        if (this.code === COPY_DONE) {
          this.flushOut(true);
          this.handBack(chunk.subarray(pos));
          return;
        }
        if (this.remaining === 0) {
          this.headerLength = 0;
          continue;
        }
      }
      const take = Math.min(this.remaining, length - pos);
      if (this.code === COPY_DATA) this.append(chunk, pos, pos + take);
      pos += take;
      this.remaining -= take;
      if (this.remaining === 0) this.headerLength = 0;
    }
    this.flushOut(false);
  }

  private append(src: Buffer, start: number, end: number): void {
    const length = end - start;
    if (this.outLength + length > this.out.length) {
      this.flushOut(true);
      if (length > this.out.length) this.out = Buffer.allocUnsafe(length);
    }
    src.copy(this.out, this.outLength, start, end);
    this.outLength += length;
  }

  /** Pushes what is collected once it is worth a push (or always, when forced). */
  private flushOut(force: boolean): void {
    if (this.outLength === 0 || (!force && this.outLength < this.chunkSize / 2)) return;
    const full = this.out.subarray(0, this.outLength);
    this.out = Buffer.allocUnsafe(this.chunkSize);
    this.outLength = 0;
    this.wanted = this.push(full);
  }

  /** Gives the socket, and the bytes from `rest` on, back to pg. */
  private handBack(rest: Buffer): void {
    this.finished = true;
    const connection = this.connection!;
    const stream = connection.stream;
    stream.removeListener('readable', this.onReadable);
    stream.on('data', this.pgDataHandler!);
    this.pgDataHandler!(rest);
    process.nextTick(() => stream.resume());
  }

  // pg's query protocol.
  callback(): void {}

  handleCommandComplete(message: { text?: string } | undefined): void {
    const match = /COPY (\d+)/.exec(message?.text ?? '');
    if (match) this.rowCount = Number(match[1]);
    this.push(null);
  }

  handleReadyForQuery(): void {}

  handleError(error: Error): void {
    this.destroy(error);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Stopped before the end: the backend would keep sending rows nobody reads. The
    // source session is read-only and disposable, so closing its socket is the release.
    if (!this.finished && this.connection !== null) {
      this.finished = true;
      this.connection.stream.destroy();
    }
    callback(error);
  }
}
