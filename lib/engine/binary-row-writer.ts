import { EscapeScan, binaryColumnFor, writeInt16, type BinaryColumn } from '../pg/copy-binary.js';
import { canonicalType } from '../table-spec/column-type.js';
import { wireColumns } from '../table-spec/field-order.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import type { ByteSink } from './byte-sink.js';
import type { TargetRowWriter } from './row-writer.js';

/**
 * How each target column of the table is written in COPY binary, in wire order; null
 * when some column's type has no binary writer here (the table then goes as text).
 */
export function binaryColumns(spec: AnyTableSpec): BinaryColumn[] | null {
  const columns: BinaryColumn[] = [];
  for (const column of wireColumns(spec)) {
    // canonicalType reads only the first word: a zone would be lost.
    if (/\bwith\s+time\s+zone\b/i.test(column.type)) return null;
    const binary = binaryColumnFor(canonicalType(column.type));
    if (binary === null) return null;
    columns.push(binary);
  }
  return columns;
}

/**
 * Writes target rows as COPY binary: each field turned from COPY text into its type's
 * binary form. Rows are written in place and abandoned like RowWriter's.
 */
export class BinaryRowWriter implements TargetRowWriter {
  /** Backslashes in the input chunk; another scan for remembered bytes, so neither forgets. */
  private readonly inputScan = new EscapeScan();
  private readonly bytesScan = new EscapeScan();
  /** Fields of binary input already in their target form, waiting to go out as one copy. */
  private runStart = -1;
  private runEnd = -1;

  constructor(private readonly sink: ByteSink, private readonly columns: readonly BinaryColumn[]) {}

  newInput(): void {
    this.inputScan.reset();
  }

  beginRow(): void {
    this.sink.beginRow();
    this.runStart = -1;
    const buf = this.sink.room(2);
    this.sink.advance(writeInt16(buf, this.sink.position, this.columns.length));
  }

  abandonRow(): void {
    this.runStart = -1;
    this.sink.abandonRow();
  }

  endRow(buf: Buffer): void {
    this.flushRun(buf);
    this.sink.endRow();
  }

  raw(buf: Buffer, start: number, end: number, target: number): void {
    this.flushRun(buf);
    this.columns[target]!.encode(buf, start, end, this.sink, this.inputScan);
  }

  bytes(buf: Buffer, bytes: Buffer, target: number): void {
    this.flushRun(buf);
    this.columns[target]!.encode(bytes, 0, bytes.length, this.sink, this.bytesScan);
  }

  value(buf: Buffer, value: string | null, target: number): void {
    this.flushRun(buf);
    this.columns[target]!.value(value, this.sink);
  }

  /** A field already in the target's binary form, length included, from another buffer than the row's. */
  framed(buf: Buffer, src: Buffer, start: number, end: number): void {
    this.flushRun(buf);
    this.sink.writeBytes(src, start, end);
  }

  /**
   * Fields of COPY binary input, lengths included, that are already the target's: from a
   * source column of the same type. Consecutive ones in the input go out as one copy.
   */
  verbatim(buf: Buffer, start: number, end: number): void {
    if (this.runStart >= 0 && this.runEnd === start) {
      this.runEnd = end;
      return;
    }
    this.flushRun(buf);
    this.runStart = start;
    this.runEnd = end;
  }

  private flushRun(buf: Buffer): void {
    if (this.runStart < 0) return;
    this.sink.writeBytes(buf, this.runStart, this.runEnd);
    this.runStart = -1;
  }
}
