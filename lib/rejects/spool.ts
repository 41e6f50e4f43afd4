import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { CopiarError } from '../errors.js';
import { PRIVATE_FILE_MODE } from '../private-files.js';

/**
 * Rejected rows as the copy hands them over, undecoded: per row the byte lengths of
 * reason, detail and row (uint32 LE each), then those bytes. Writing one costs a copy
 * into a block; decoding and CSV quoting wait until the rows are loaded, so the copy
 * does not pay for them.
 */
export interface SpooledRejection {
  reason: string;
  detail: string;
  /** A view into the reader's buffer: valid until the next record is asked for. */
  row: Buffer;
}

const HEADER = 12;
const BLOCK = 256 * 1024;

export class SpoolWriter {
  private readonly file: WriteStream;
  private readonly done: Promise<void>;
  private block: Buffer = Buffer.allocUnsafe(BLOCK);
  /** Blocks the file has written, for reuse: a new block per flush was garbage the collector saw late. */
  private readonly free: Buffer[] = [];
  private pos = 0;
  private draining: Promise<void> | null = null;

  constructor(readonly path: string) {
    this.file = createWriteStream(path, { highWaterMark: 4 * BLOCK, mode: PRIVATE_FILE_MODE });
    this.done = finished(this.file);
    // The file's own errors surface through close().
    this.done.catch(() => undefined);
  }

  write(reason: string, detail: string, row: Buffer): void {
    const reasonBytes = Buffer.byteLength(reason);
    const detailBytes = Buffer.byteLength(detail);
    const size = HEADER + reasonBytes + detailBytes + row.length;
    if (this.pos + size > this.block.length) {
      this.flush();
      // A row larger than a block goes in a block of its own, not kept for reuse.
      if (size > this.block.length) this.block = Buffer.allocUnsafe(size);
    }
    const block = this.block;
    let pos = this.pos;
    block.writeUInt32LE(reasonBytes, pos);
    block.writeUInt32LE(detailBytes, pos + 4);
    block.writeUInt32LE(row.length, pos + 8);
    pos += HEADER;
    pos += block.write(reason, pos);
    pos += block.write(detail, pos);
    pos += row.copy(block, pos);
    this.pos = pos;
  }

  /** A promise while the file is applying backpressure, else null. */
  ready(): Promise<void> | null {
    return this.draining;
  }

  async close(): Promise<void> {
    this.flush();
    this.file.end();
    await this.done;
  }

  private flush(): void {
    if (this.pos === 0) return;
    const written = this.block;
    this.block = this.free.pop() ?? Buffer.allocUnsafe(BLOCK);
    const full = written.subarray(0, this.pos);
    this.pos = 0;
    const reuse = written.length === BLOCK ? (): void => void this.free.push(written) : undefined;
    if (!this.file.write(full, reuse) && this.draining === null) {
      this.draining = once(this.file, 'drain').then(() => {
        this.draining = null;
      });
    }
  }
}

/**
 * The records of a spool, read into one buffer that is reused (a new buffer per read
 * left tens of MB of dead buffers waiting for the garbage collector); `bufferSize` is
 * small in tests, to cut records at every byte.
 */
export async function* readSpool(path: string, bufferSize = 1 << 20): AsyncGenerator<SpooledRejection> {
  const file = await open(path, 'r');
  try {
    let buf = Buffer.allocUnsafe(Math.max(bufferSize, HEADER));
    let start = 0;
    let end = 0;
    for (;;) {
      while (end - start >= HEADER) {
        const reasonEnd = start + HEADER + buf.readUInt32LE(start);
        const detailEnd = reasonEnd + buf.readUInt32LE(start + 4);
        const rowEnd = detailEnd + buf.readUInt32LE(start + 8);
        if (rowEnd > end) break;
        yield {
          reason: buf.toString('utf8', start + HEADER, reasonEnd),
          detail: buf.toString('utf8', reasonEnd, detailEnd),
          row: buf.subarray(detailEnd, rowEnd),
        };
        start = rowEnd;
      }
      // The incomplete record moves to the front; a record larger than the buffer gets its own.
      const pending = end - start;
      const needed = pending >= HEADER ? HEADER + buf.readUInt32LE(start) + buf.readUInt32LE(start + 4) + buf.readUInt32LE(start + 8) : HEADER;
      if (needed > buf.length) {
        const larger = Buffer.allocUnsafe(needed);
        buf.copy(larger, 0, start, end);
        buf = larger;
      } else {
        buf.copyWithin(0, start, end);
      }
      start = 0;
      end = pending;
      const { bytesRead } = await file.read(buf, end, buf.length - end, null);
      if (bytesRead === 0) {
        if (pending > 0) throw new CopiarError('RECHAZOS_ILEGIBLES', `${path}: el fichero de rechazos en bruto termina a mitad de un registro`);
        return;
      }
      end += bytesRead;
    }
  } finally {
    await file.close();
  }
}
