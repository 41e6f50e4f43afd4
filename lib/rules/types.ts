/** What a rule sees of the row it is working on. */
export interface RowView {
  /** The decoded value of another field of the same source row. */
  field(name: string): string | null;
  /** Marks the row as adjusted: an optional value was unusable and was replaced. */
  adjust(): void;
}

/**
 * A column rule: the decoded source value in, the target value out (null for SQL NULL).
 * A value that cannot be migrated throws a RowRejection (see `reject`).
 */
export type Rule = (value: string | null, row: RowView) => string | null;

/**
 * A rule that can also tell, from the raw COPY bytes alone, that its output would be
 * those same bytes; the engine then copies the bytes and never decodes the value.
 */
export type FastRule = Rule & {
  keepsRaw?: (buf: Buffer, start: number, end: number) => boolean;
  /**
   * The same promise for the value's own bytes, not NULL, as COPY binary gives them (no
   * escapes): the engine reading the source in binary copies them without decoding.
   */
  keepsValue?: (buf: Buffer, start: number, end: number) => boolean;
  /**
   * The result depends on the value alone (no other field, no lookup that changes):
   * the engine computes the result for NULL once and reuses it.
   */
  valueOnly?: boolean;
};
