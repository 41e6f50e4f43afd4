import { NEWLINE, TAB, encodeField } from '../pg/copy-text.js';
import type { ByteSink } from './byte-sink.js';

/** What the engine writes a target row through: COPY text (RowWriter) or binary (BinaryRowWriter). */
export interface TargetRowWriter {
  /** New input: a buffer seen before may hold other bytes now. */
  newInput(): void;
  beginRow(): void;
  /** Drops everything written for the row (a rejected row). */
  abandonRow(): void;
  /** Ends the row: `withNewline` false when the last raw field already holds the row's own newline. */
  endRow(buf: Buffer, withNewline: boolean): void;
  /** A field of COPY text, buf[start, end), as the value of target column `target`. */
  raw(buf: Buffer, start: number, end: number, target: number): void;
  /** Bytes of COPY text (a remembered result) as the value of `target`. */
  bytes(buf: Buffer, bytes: Buffer, target: number): void;
  /** A rule's result as the value of `target`. */
  value(buf: Buffer, value: string | null, target: number): void;
}

/**
 * Writes one target row at a time into the sink. Raw input bytes wait as a run:
 * consecutive output fields that are unchanged and consecutive in the input (tabs
 * included) go out as one copy.
 */
export class RowWriter implements TargetRowWriter {
  private runStart = -1;
  private runEnd = -1;

  constructor(private readonly sink: ByteSink) {}

  newInput(): void {}

  beginRow(): void {
    this.sink.beginRow();
    this.runStart = -1;
  }

  abandonRow(): void {
    this.runStart = -1;
    this.sink.abandonRow();
  }

  endRow(buf: Buffer, withNewline: boolean): void {
    this.flushRun(buf);
    if (withNewline) this.sink.writeByte(NEWLINE);
    this.sink.endRow();
  }

  /** Column 0 is the first: no tab before it. */
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

  bytes(buf: Buffer, bytes: Buffer, target: number): void {
    this.flushRun(buf);
    if (target !== 0) this.sink.writeByte(TAB);
    this.sink.writeBytes(bytes, 0, bytes.length);
  }

  value(buf: Buffer, value: string | null, target: number): void {
    this.flushRun(buf);
    if (target !== 0) this.sink.writeByte(TAB);
    this.sink.writeString(encodeField(value));
  }

  private flushRun(buf: Buffer): void {
    if (this.runStart < 0) return;
    this.sink.writeBytes(buf, this.runStart, this.runEnd);
    this.runStart = -1;
  }
}
