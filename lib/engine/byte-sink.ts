/**
 * Collects output rows into large buffers. A row is written in place and can be
 * abandoned (a rejected row) until it is ended; full buffers go to `emit` whole, so the
 * COPY FROM side receives few large writes, never one per row.
 */
export class ByteSink {
  private buf: Buffer;
  private pos = 0;
  private rowStart = 0;

  constructor(private readonly emit: (chunk: Buffer) => void, private readonly chunkSize = 256 * 1024) {
    this.buf = Buffer.allocUnsafe(chunkSize);
  }

  beginRow(): void {
    this.rowStart = this.pos;
  }

  abandonRow(): void {
    this.pos = this.rowStart;
  }

  endRow(): void {
    this.rowStart = this.pos;
  }

  /** Makes room for n more bytes, moving the row in progress to a new buffer if needed. */
  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const partial = this.pos - this.rowStart;
    const next = Buffer.allocUnsafe(Math.max(this.chunkSize, (partial + n) * 2));
    this.buf.copy(next, 0, this.rowStart, this.pos);
    if (this.rowStart > 0) this.emit(this.buf.subarray(0, this.rowStart));
    this.buf = next;
    this.pos = partial;
    this.rowStart = 0;
  }

  writeByte(byte: number): void {
    this.ensure(1);
    this.buf[this.pos++] = byte;
  }

  writeBytes(src: Buffer, start: number, end: number): void {
    const length = end - start;
    this.ensure(length);
    if (length > 48) {
      this.pos += src.copy(this.buf, this.pos, start, end);
      return;
    }
    // Short pieces: a loop beats Buffer.copy's per-call overhead.
    const out = this.buf;
    let pos = this.pos;
    for (let i = start; i < end; i++) out[pos++] = src[i]!;
    this.pos = pos;
  }

  /**
   * Room for n more bytes of the row in progress: write them into the returned buffer
   * from `position`, then `advance` past them. The row may move to a new buffer here.
   */
  room(n: number): Buffer {
    this.ensure(n);
    return this.buf;
  }

  get position(): number {
    return this.pos;
  }

  advance(to: number): void {
    this.pos = to;
  }

  writeString(text: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 unit.
    this.ensure(text.length * 3);
    this.pos += this.buf.write(text, this.pos, 'utf8');
  }

  /** Sends every ended row; keeps nothing back except a row still in progress. */
  flush(): void {
    if (this.rowStart === 0) return;
    const rest = this.pos - this.rowStart;
    const next = Buffer.allocUnsafe(Math.max(this.chunkSize, rest));
    this.buf.copy(next, 0, this.rowStart, this.pos);
    this.emit(this.buf.subarray(0, this.rowStart));
    this.buf = next;
    this.pos = rest;
    this.rowStart = 0;
  }

  /** Flushes when the buffer is nearly full; called between input chunks. */
  flushIfFull(threshold = 0.75): void {
    if (this.rowStart >= this.buf.length * threshold) this.flush();
  }
}
