import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { CopiarError } from './errors.js';

/**
 * Rejected rows as the copy hands them over, undecoded: per row the byte lengths of
 * reason, detail and row (uint32 LE each), then those bytes. Writing one costs a copy
 * into a block; decoding and CSV quoting wait until the rows are loaded, so the copy
 * does not pay for them.
 */
export interface SpooledRejection {
  reason: string;
  detail: string;
  /** A view into the read buffer: valid until the next record is asked for. */
  row: Buffer;
}

const HEADER = 12;
const BLOCK = 256 * 1024;

export class SpoolWriter {
  private readonly file: WriteStream;
  private readonly done: Promise<void>;
  private block = Buffer.allocUnsafe(BLOCK);
  private pos = 0;
  private draining: Promise<void> | null = null;

  constructor(readonly path: string) {
    this.file = createWriteStream(path, { highWaterMark: 4 * BLOCK });
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
    const full = this.block.subarray(0, this.pos);
    this.block = Buffer.allocUnsafe(BLOCK);
    this.pos = 0;
    if (!this.file.write(full) && this.draining === null) {
      this.draining = once(this.file, 'drain').then(() => {
        this.draining = null;
      });
    }
  }
}

/** The records of a spool given as chunks cut anywhere. */
export async function* spoolRecords(chunks: AsyncIterable<Buffer>, name: string): AsyncGenerator<SpooledRejection> {
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of chunks) {
    const buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    let pos = 0;
    while (buf.length - pos >= HEADER) {
      const reasonEnd = pos + HEADER + buf.readUInt32LE(pos);
      const detailEnd = reasonEnd + buf.readUInt32LE(pos + 4);
      const rowEnd = detailEnd + buf.readUInt32LE(pos + 8);
      if (rowEnd > buf.length) break;
      yield {
        reason: buf.toString('utf8', pos + HEADER, reasonEnd),
        detail: buf.toString('utf8', reasonEnd, detailEnd),
        row: buf.subarray(detailEnd, rowEnd),
      };
      pos = rowEnd;
    }
    carry = buf.subarray(pos);
  }
  if (carry.length > 0) throw new CopiarError('TABLA_FALLIDA', `${name}: el fichero de rechazos en bruto termina a mitad de un registro`, { exitCode: 1 });
}

export function readSpool(path: string): AsyncGenerator<SpooledRejection> {
  return spoolRecords(createReadStream(path, { highWaterMark: 1 << 20 }), path);
}
