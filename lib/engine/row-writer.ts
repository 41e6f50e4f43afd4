import { NEWLINE, TAB } from '../pg/copy-text.js';
import type { ByteSink } from './byte-sink.js';

/**
 * Writes one target row at a time into the sink. Raw input bytes wait as a run:
 * consecutive output fields that are unchanged and consecutive in the input (tabs
 * included) go out as one copy.
 */
export class RowWriter {
  private runStart = -1;
  private runEnd = -1;

  constructor(private readonly sink: ByteSink) {}

  beginRow(): void {
    this.sink.beginRow();
    this.runStart = -1;
  }

  /** Drops everything written for the row (a rejected row). */
  abandonRow(): void {
    this.runStart = -1;
    this.sink.abandonRow();
  }

  /** Ends the row: `withNewline` false when the last run already holds the row's own newline. */
  endRow(buf: Buffer, withNewline: boolean): void {
    this.flushRun(buf);
    if (withNewline) this.sink.writeByte(NEWLINE);
    this.sink.endRow();
  }

  /** Raw input bytes as the value of target column `target` (0 is the first: no tab before it). */
  raw(buf: Buffer, start: number, end: number, target: number): void {
    if (this.runStart >= 0 && this.runEnd + 1 === start) {
      this.runEnd = end;
      return;
    }
    this.flushRun(buf);
    if (target !== 0) this.sink.writeByte(TAB);
    this.runStart = start;
    this.runEnd = end;
  }

  /** Already encoded bytes as the value of `target`. */
  bytes(buf: Buffer, bytes: Buffer, target: number): void {
    this.flushRun(buf);
    if (target !== 0) this.sink.writeByte(TAB);
    this.sink.writeBytes(bytes, 0, bytes.length);
  }

  /** An encoded COPY field as the value of `target`. */
  text(buf: Buffer, text: string, target: number): void {
    this.flushRun(buf);
    if (target !== 0) this.sink.writeByte(TAB);
    this.sink.writeString(text);
  }

  private flushRun(buf: Buffer): void {
    if (this.runStart < 0) return;
    this.sink.writeBytes(buf, this.runStart, this.runEnd);
    this.runStart = -1;
  }
}
