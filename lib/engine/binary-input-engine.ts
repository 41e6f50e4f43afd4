import { CopiarError } from '../errors.js';
import type { BinaryColumn } from '../pg/copy-binary.js';
import { binaryFieldCopyText, binaryFieldText, copyTextRoom, valueTextStart, type SourceType } from '../pg/copy-binary-in.js';
import { BACKSLASH, TAB, encodeField, escapeInto } from '../pg/copy-text.js';
import { RowRejection } from '../rules/rejection.js';
import type { FastRule, RowView } from '../rules/types.js';
import { canonicalType } from '../table-spec/column-type.js';
import { wireColumns } from '../table-spec/field-order.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import { BinaryRowWriter } from './binary-row-writer.js';
import type { ByteSink } from './byte-sink.js';
import type { RowCounts } from './counts.js';
import type { RawRejection } from './row-engine.js';
import { buildRowPlan, type CopyStep, type MemoEntry, type RowPlan, type RuleStep } from './row-plan.js';
import type { UuidKeyedValues } from './uuid-keyed-values.js';

/** A prepared join done here: its fields arrive as the join's uuid key, and their value is the one `values` holds for it (none: NULL). */
export interface JoinInProcess {
  fields: readonly string[];
  values: UuidKeyedValues;
}

/** A source field in the binary form of this target column type is that column's binary form. */
function sameBinaryForm(source: SourceType, targetType: string): boolean {
  const target = canonicalType(targetType);
  if (source === 'text') return target === 'text' || target.startsWith('character varying');
  if (source === 'timestamp') return target === 'timestamp without time zone' && !/\bwith\s+time\s+zone\b/i.test(targetType);
  return target === source;
}

/**
 * RowEngine's work over COPY binary input, for a binary target: the same plan, rules and
 * memos, with fields found by their lengths. A field whose source type has the target
 * column's binary form (uuid to uuid, text to varchar, jsonb to jsonb, timestamp to
 * timestamp) goes out as the bytes that came in, length included, and consecutive ones
 * as one copy; every other value goes through the text a rule sees, as on the text path.
 * Rejected rows are turned into COPY text for the reject file, so it reads them as always.
 */
export class BinaryInputEngine {
  readonly counters: RowCounts = { read: 0, written: 0, rejected: 0, adjusted: 0 };
  private readonly plan: RowPlan;
  private readonly writer: BinaryRowWriter;
  /** Per field: where its length starts, where its value starts (-1 for NULL), where it ends. */
  private readonly heads: Int32Array;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  /** Per target column (wire order): whether the bytes of its source field are already its own. */
  private readonly verbatimTo: boolean[];
  private buf: Buffer = Buffer.alloc(0);
  /** A rejected row as COPY text, reused: the reject sink copies what it keeps during the call. */
  private rejectRowBuffer = Buffer.allocUnsafe(64 * 1024);
  private rowAdjusted = false;
  private readonly view: RowView;
  /** Per field: the values its key is looked up in, for a field of a prepared join done here. */
  private readonly joinedValues: (UuidKeyedValues | null)[];
  /** Per target column (wire order): whether a joined value, text, is already its binary form. */
  private readonly joinedVerbatimTo: boolean[];
  /** Per field, a rejected row's joined entry (-1: none); reused from one reject to the next. */
  private readonly rejectEntries: Int32Array;

  constructor(
    private readonly spec: AnyTableSpec,
    sink: ByteSink,
    private readonly onReject: (rejection: RawRejection) => void,
    lookupRules: Record<string, FastRule>,
    targetColumns: readonly BinaryColumn[],
    /** The type of each source field, in the plan's field order. */
    private readonly types: readonly SourceType[],
    joined?: JoinInProcess,
  ) {
    if ((spec.unique ?? []).length > 0) throw new Error(`${spec.target}: una tabla con claves únicas no se lee en binario`);
    this.plan = buildRowPlan(spec, lookupRules, true);
    if (types.length !== this.plan.fields.length) throw new Error(`${spec.target}: ${types.length} tipos para ${this.plan.fields.length} campos`);
    this.writer = new BinaryRowWriter(sink, targetColumns);
    const n = this.plan.fields.length;
    this.heads = new Int32Array(n);
    this.starts = new Int32Array(n);
    this.ends = new Int32Array(n);
    this.joinedValues = this.plan.fields.map(() => null);
    this.rejectEntries = new Int32Array(n);
    for (const field of joined?.fields ?? []) {
      const i = this.plan.fieldIndex.get(field);
      if (i === undefined || types[i] !== 'uuid') throw new Error(`${spec.target}: el campo ${field} no llega como la clave uuid de su join`);
      this.joinedValues[i] = joined!.values;
    }
    const columns = wireColumns(spec);
    const joinedFrom = (column: (typeof columns)[number]): boolean => column.from !== undefined && this.joinedValues[this.plan.fieldIndex.get(column.from)!] !== null;
    // A joined field's bytes are its key, never the column's value.
    this.verbatimTo = columns.map((column) => column.from !== undefined && !joinedFrom(column) && sameBinaryForm(types[this.plan.fieldIndex.get(column.from)!]!, column.type));
    this.joinedVerbatimTo = columns.map((column) => joinedFrom(column) && sameBinaryForm('text', column.type));
    const engine = this;
    this.view = {
      field(name: string): string | null {
        const i = engine.plan.fieldIndex.get(name);
        if (i === undefined) throw new Error(`${spec.target}: campo de origen desconocido ${name}`);
        return engine.text(i);
      },
      adjust(): void {
        engine.rowAdjusted = true;
      },
    };
  }

  /** Bytes the row where processRows stopped still needs at least, when it stopped for a cut row. */
  missing = 0;

  /**
   * Processes the whole rows at the start of buf[start, end), and returns where it
   * stopped: at `end`, at the stream's end (a field count of -1, for the caller), or at a
   * row cut short, with `missing` set.
   */
  processRows(buf: Buffer, start: number, end: number): number {
    this.buf = buf;
    this.writer.newInput();
    let pos = start;
    while (pos < end) {
      if (end - pos < 2) {
        this.missing = pos + 2 - end;
        return pos;
      }
      const count = buf.readInt16BE(pos);
      if (count === -1) return pos;
      if (count !== this.heads.length) throw new CopiarError('COPY_MALFORMADO', `una fila de COPY binario con ${count} campos en vez de ${this.heads.length}`);
      const rowEnd = this.split(buf, pos + 2, end);
      if (rowEnd < 0) {
        this.missing = -rowEnd;
        return pos;
      }
      this.processRow(buf);
      pos = rowEnd;
    }
    return pos;
  }

  /** Finds the fields of the row from `pos`: where it ends, or minus the bytes missing. */
  private split(buf: Buffer, pos: number, end: number): number {
    for (let f = 0; f < this.heads.length; f++) {
      if (pos + 4 > end) return -(pos + 4 - end);
      const length = buf.readInt32BE(pos);
      this.heads[f] = pos;
      pos += 4;
      if (length < 0) {
        if (length !== -1) throw new CopiarError('COPY_MALFORMADO', `un campo de COPY binario de longitud ${length}`);
        this.starts[f] = -1;
      } else {
        this.starts[f] = pos;
        pos += length;
        if (pos > end) return -(pos - end);
      }
      this.ends[f] = pos;
    }
    return pos;
  }

  /** The value of field i as the text a rule sees, null for NULL. */
  private text(i: number): string | null {
    const start = this.starts[i]!;
    if (start < 0) return null;
    const values = this.joinedValues[i];
    if (values !== null) {
      const entry = values.find(this.buf, start);
      return entry < 0 ? null : values.value(entry);
    }
    return binaryFieldText(this.types[i]!, this.buf, start, this.ends[i]!);
  }

  private processRow(buf: Buffer): void {
    this.counters.read++;
    this.writer.beginRow();
    this.rowAdjusted = false;
    try {
      const steps = this.plan.steps;
      for (let s = 0; s < steps.length; s++) {
        const step = steps[s]!;
        if (step.kind === 'copy') this.copyFields(step, buf);
        else this.applyRule(step, buf);
      }
    } catch (error) {
      if (!(error instanceof RowRejection)) throw error;
      this.writer.abandonRow();
      this.rejectRow(error);
      return;
    }
    this.writer.endRow(buf);
    this.counters.written++;
    if (this.rowAdjusted) this.counters.adjusted++;
  }

  private copyFields(step: CopyStep, buf: Buffer): void {
    for (let f = step.first, k = 0; f <= step.last; f++, k++) {
      const target = step.targets[k]!;
      if (this.verbatimTo[target] === true) this.writer.verbatim(buf, this.heads[f]!, this.ends[f]!);
      else this.writer.value(buf, this.text(f), target);
    }
  }

  private applyRule(step: RuleStep, buf: Buffer): void {
    const f = step.field;
    if (f < 0) {
      this.writer.value(buf, step.rule(null, this.view), step.target);
      return;
    }
    const values = this.joinedValues[f] ?? null;
    if (values !== null) {
      this.applyJoinedRule(step, buf, values);
      return;
    }
    const start = this.starts[f]!;
    const end = this.ends[f]!;
    const verbatim = this.verbatimTo[step.target] === true;
    const keepsValue = step.rule.keepsValue;
    if (start >= 0 && verbatim && keepsValue !== undefined && keepsValue(buf, valueTextStart(this.types[f]!, buf, start, end), end)) {
      this.writer.verbatim(buf, this.heads[f]!, end);
      return;
    }
    let entry: MemoEntry | undefined;
    if (start < 0 && (step.memo !== null || step.valueOnly)) {
      entry = step.nullEntry ??= this.evaluate(step, f, verbatim);
    } else if (step.memo !== null) {
      entry = step.memo.get(buf, start, end);
      if (entry === undefined) {
        entry = this.evaluate(step, f, verbatim);
        step.memo.set(buf, start, end, entry);
      }
    }
    if (entry !== undefined) {
      this.writeEntry(entry, step, buf);
      return;
    }
    this.writer.value(buf, step.rule(this.text(f), this.view), step.target);
  }

  /** A memoized result: its rejection thrown, or its bytes written (the field's own when the same). */
  private writeEntry(entry: MemoEntry, step: RuleStep, buf: Buffer): void {
    if (entry.rejection !== null) throw entry.rejection;
    if (entry.adjusted) this.rowAdjusted = true;
    if (entry.same) this.writer.verbatim(buf, this.heads[step.field]!, this.ends[step.field]!);
    else this.writer.bytes(buf, entry.bytes, step.target);
  }

  /**
   * A rule over a joined field: the key's value goes out from where the values keep it,
   * framed, when the rule keeps it; a key without one is NULL, its result computed once
   * for a value-only rule.
   */
  private applyJoinedRule(step: RuleStep, buf: Buffer, values: UuidKeyedValues): void {
    const f = step.field;
    const start = this.starts[f]!;
    const entry = start < 0 ? -1 : values.find(buf, start);
    if (entry < 0) {
      if (!step.valueOnly) {
        this.writer.value(buf, step.rule(null, this.view), step.target);
        return;
      }
      // Not `same`: the field's own bytes are the key.
      this.writeEntry((step.nullEntry ??= this.evaluate(step, f, false)), step, buf);
      return;
    }
    const keepsValue = step.rule.keepsValue;
    const fieldStart = values.fieldStart(entry);
    const fieldEnd = values.fieldEnd(entry);
    if (this.joinedVerbatimTo[step.target] === true && keepsValue !== undefined && keepsValue(values.bytes, fieldStart + 4, fieldEnd)) {
      this.writer.framed(buf, values.bytes, fieldStart, fieldEnd);
      return;
    }
    this.writer.value(buf, step.rule(values.value(entry), this.view), step.target);
  }

  /** A rule's result for a memo: `same` when the field's own bytes are the target's value. */
  private evaluate(step: RuleStep, f: number, verbatim: boolean): MemoEntry {
    let adjusted = false;
    const view: RowView = { field: this.view.field, adjust: () => (adjusted = true) };
    const input = this.text(f);
    try {
      const value = step.rule(input, view);
      return { bytes: Buffer.from(encodeField(value)), same: verbatim && value === input, value, adjusted, rejection: null };
    } catch (error) {
      if (!(error instanceof RowRejection)) throw error;
      return { bytes: Buffer.alloc(0), same: false, value: null, adjusted, rejection: error };
    }
  }

  private rejectRow(rejection: RowRejection): void {
    this.counters.rejected++;
    // A joined field is written as the value the join gave (its entry), as the source's join sent it.
    const entries = this.rejectEntries;
    for (let f = 0; f < this.heads.length; f++) {
      const values = this.joinedValues[f];
      entries[f] = values === null || this.starts[f]! < 0 ? -1 : values.find(this.buf, this.starts[f]!);
    }
    let room = 0;
    for (let f = 0; f < this.heads.length; f++) {
      const values = this.joinedValues[f];
      const e = entries[f]!;
      const length = values !== null ? (e < 0 ? -1 : values.fieldEnd(e) - values.fieldStart(e) - 4) : this.starts[f]! < 0 ? -1 : this.ends[f]! - this.starts[f]!;
      room += 1 + (length < 0 ? 2 : copyTextRoom(length));
    }
    if (this.rejectRowBuffer.length < room) this.rejectRowBuffer = Buffer.allocUnsafe(Math.max(room, 2 * this.rejectRowBuffer.length));
    const out = this.rejectRowBuffer;
    let pos = 0;
    for (let f = 0; f < this.heads.length; f++) {
      if (f > 0) out[pos++] = TAB;
      const start = this.starts[f]!;
      const values = this.joinedValues[f];
      const e = entries[f]!;
      if (start < 0 || (values !== null && e < 0)) {
        out[pos++] = BACKSLASH;
        out[pos++] = 0x4e; // N
      } else if (values !== null) {
        pos = escapeInto(values.bytes, values.fieldStart(e) + 4, values.fieldEnd(e), out, pos);
      } else {
        pos = binaryFieldCopyText(this.types[f]!, this.buf, start, this.ends[f]!, out, pos);
      }
    }
    this.onReject({ reason: rejection.reason, detail: rejection.detail, row: out.subarray(0, pos) });
  }
}
