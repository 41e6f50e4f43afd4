/** What the rules did with the rows of a copy. */
export interface RowCounts {
  read: number;
  written: number;
  rejected: number;
  adjusted: number;
}

/** A copy's rows and the COPY text bytes it read. */
export interface CopyCounts extends RowCounts {
  bytes: number;
}

export function emptyCounts(): CopyCounts {
  return { read: 0, written: 0, rejected: 0, adjusted: 0, bytes: 0 };
}

/** The sum of copies (the ranges of a table, the tables of a run). */
export function sumCounts(parts: Iterable<CopyCounts>): CopyCounts {
  const sum = emptyCounts();
  for (const c of parts) {
    sum.read += c.read;
    sum.written += c.written;
    sum.rejected += c.rejected;
    sum.adjusted += c.adjusted;
    sum.bytes += c.bytes;
  }
  return sum;
}
