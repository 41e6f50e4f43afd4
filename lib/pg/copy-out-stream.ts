import { Readable } from 'node:stream';
import type { Connection, Submittable } from 'pg';

// Backend message codes seen during COPY OUT.
const COPY_DATA = 0x64; // 'd'
const COPY_DONE = 0x63; // 'c'
const ERROR_RESPONSE = 0x45; // 'E'

const QUERY = 0x51; // 'Q'

interface PgConnection {
  stream: NodeJS.ReadableStream & { listeners(event: 'data'): ((chunk: Buffer) => void)[]; destroy(): void; write(data: Buffer): boolean };
}

/**
 * `COPY ... TO STDOUT` as a Readable of plain COPY text, for pg's Client.query().
 *
 * It takes over the connection's socket the way pg-copy-streams' copy-to does, but strips
 * the protocol framing in place: the payloads of the CopyData messages in a socket chunk
 * are moved together over the 5-byte headers (copyWithin, no allocation) and the chunk
 * itself goes downstream. pg-copy-streams keeps a buffer list and slices every CopyData
 * message (one per row), which cost as much CPU as all the row rules of `mensajes`
 * together. The socket's chunks can be rewritten because nobody else reads them: pg's
 * own reader is detached for the whole copy. When the copy ends (CopyDone) or fails
 * (ErrorResponse), the socket and the bytes after that point go back to pg, which
 * completes or fails the query as usual.
 */
export class CopyOutStream extends Readable implements Submittable {
  private readonly pieces: readonly string[];
  private connection: PgConnection | null = null;
  private pgDataHandler: ((chunk: Buffer) => void) | null = null;
  private readonly onData = (chunk: Buffer): void => this.parse(chunk);
  private socketPaused = false;
  private finished = false;
  // Parser state carried across socket chunks.
  private header = Buffer.alloc(5);
  private headerLength = 0;
  private code = 0;
  private remaining = 0;

  /** The query as one string, or in pieces sent one after the other (see copyOutQuery). */
  constructor(text: string | readonly string[]) {
    // Bytes buffered downstream before the socket is paused.
    super({ highWaterMark: 256 * 1024 });
    this.pieces = typeof text === 'string' ? [text] : text;
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
    stream.on('data', this.onData);
    stream.write(queryMessage(this.pieces));
  }

  override _read(): void {
    if (this.socketPaused && !this.finished && this.connection !== null) {
      this.socketPaused = false;
      this.connection.stream.resume();
    }
  }

  private parse(chunk: Buffer): void {
    if (this.finished) return;
    let pos = 0;
    // Where the next payload byte goes: payloads are packed at the start of the chunk.
    let packed = 0;
    const length = chunk.length;
    while (pos < length) {
      if (this.remaining === 0 && this.headerLength < 5) {
        if (this.headerLength === 0 && chunk[pos] === ERROR_RESPONSE) {
          this.pushPacked(chunk, packed);
          this.handBack(chunk.subarray(pos));
          return;
        }
        while (this.headerLength < 5 && pos < length) this.header[this.headerLength++] = chunk[pos++]!;
        if (this.headerLength < 5) break;
        this.code = this.header[0]!;
        this.remaining = this.header.readUInt32BE(1) - 4;
        if (this.code === COPY_DONE) {
          this.pushPacked(chunk, packed);
          this.handBack(chunk.subarray(pos));
          return;
        }
        if (this.remaining === 0) {
          this.headerLength = 0;
          continue;
        }
      }
      const take = Math.min(this.remaining, length - pos);
      if (this.code === COPY_DATA) {
        if (packed !== pos) chunk.copyWithin(packed, pos, pos + take);
        packed += take;
      }
      pos += take;
      this.remaining -= take;
      if (this.remaining === 0) this.headerLength = 0;
    }
    this.pushPacked(chunk, packed);
  }

  private pushPacked(chunk: Buffer, packed: number): void {
    if (packed === 0) return;
    if (!this.push(chunk.subarray(0, packed)) && !this.finished && this.connection !== null) {
      this.socketPaused = true;
      this.connection.stream.pause();
    }
  }

  /** Gives the socket, and the bytes from `rest` on, back to pg. */
  private handBack(rest: Buffer): void {
    this.finished = true;
    const connection = this.connection!;
    const stream = connection.stream;
    stream.removeListener('data', this.onData);
    stream.on('data', this.pgDataHandler!);
    if (rest.length > 0) this.pgDataHandler!(rest);
    if (this.socketPaused) {
      this.socketPaused = false;
      stream.resume();
    }
  }

  // pg's query protocol.
  callback(): void {}

  handleCommandComplete(): void {
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

/**
 * A simple-protocol Query message ('Q', length, the text, NUL) written piece by piece into
 * one buffer: what pg's connection.query() sends, without first joining the pieces
 * into a string (a new string of megabytes per range, which only a full collection frees).
 */
function queryMessage(pieces: readonly string[]): Buffer {
  const length = pieces.reduce((sum, piece) => sum + Buffer.byteLength(piece), 4 + 1);
  const message = Buffer.allocUnsafe(1 + length);
  message[0] = QUERY;
  message.writeInt32BE(length, 1);
  let pos = 5;
  for (const piece of pieces) pos += message.write(piece, pos);
  message[pos] = 0;
  return message;
}
