import { CopiarError } from '../errors.js';
import type { BinaryColumn } from '../pg/copy-binary.js';
import { NEWLINE, TAB, decodeField, encodeField, isNullField } from '../pg/copy-text.js';
import { RowRejection } from '../rules/rejection.js';
import type { FastRule, RowView } from '../rules/types.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import { BinaryRowWriter } from './binary-row-writer.js';
import type { ByteSink } from './byte-sink.js';
import type { RowCounts } from './counts.js';
import { buildRowPlan, type CopyStep, type MemoEntry, type RowPlan, type RuleStep } from './row-plan.js';
import { RowWriter, type TargetRowWriter } from './row-writer.js';
import { UniqueKeys } from './unique-keys.js';

/**
 * A rejected row as it came in: its COPY text without the newline, all fields present
 * (checked). Decoding it waits for the reject file, off the copy's path.
 */
export interface RawRejection {
  reason: string;
  detail: string;
  /** Valid only during the call: it may be a view into the socket's buffer. */
  row: Buffer;
}

/**
 * Applies a table's column rules to complete rows of COPY text and writes the target
 * rows to a ByteSink. Plain and synchronous: the stream shell only feeds it bytes.
 *
 * Fields arrive in wire order (see field-order.ts): a row is split only as far as its
 * last field with a rule; the fields after it are copied with the rest of the row up to
 * the newline, unsplit (row-plan.ts). Every other field is split on demand (a rejected
 * row, a rule that reads another field).
 */
export class RowEngine {
  readonly counters: RowCounts = { read: 0, written: 0, rejected: 0, adjusted: 0 };
  private readonly plan: RowPlan;
  private readonly writer: TargetRowWriter;
  private readonly unique: UniqueKeys;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  /** Fields of the current row split so far, and where the row ends. */
  private splitCount = 0;
  private rowEnd = 0;
  private buf: Buffer = Buffer.alloc(0);
  private rowAdjusted = false;
  private readonly view: RowView;

  constructor(
    private readonly spec: AnyTableSpec,
    sink: ByteSink,
    private readonly onReject: (rejection: RawRejection) => void,
    lookupRules: Record<string, FastRule> = {},
    /** Write COPY binary, each column as given, instead of COPY text. */
    binary?: readonly BinaryColumn[],
  ) {
    const keepsValues = (spec.unique ?? []).length > 0;
    // Binary fields are written one by one: no unsplit tail.
    this.plan = buildRowPlan(spec, lookupRules, keepsValues || binary !== undefined);
    const { targetIndex, fields } = this.plan;
    this.unique = new UniqueKeys(spec.unique ?? [], spec.keptIdColumn, targetIndex(spec.keptIdColumn), targetIndex, spec.columns.length);
    this.writer = binary === undefined ? new RowWriter(sink) : new BinaryRowWriter(sink, binary);
    this.starts = new Int32Array(fields.length);
    this.ends = new Int32Array(fields.length);
    const engine = this;
    this.view = {
      field(name: string): string | null {
        const i = engine.field(name);
        engine.splitAll();
        return decodeField(engine.buf, engine.starts[i]!, engine.ends[i]!);
      },
      adjust(): void {
        engine.rowAdjusted = true;
      },
    };
  }

  private field(name: string): number {
    const i = this.plan.fieldIndex.get(name);
    if (i === undefined) throw new Error(`${this.spec.target}: campo de origen desconocido ${name}`);
    return i;
  }

  /** Processes the complete rows in buf[start, end); `end` is just past a newline. */
  processRows(buf: Buffer, start: number, end: number): void {
    this.buf = buf;
    this.writer.newInput();
    let rowStart = start;
    while (rowStart < end) {
      let rowEnd = buf.indexOf(NEWLINE, rowStart);
      if (rowEnd < 0 || rowEnd >= end) rowEnd = end;
      this.processRow(buf, rowStart, rowEnd);
      rowStart = rowEnd + 1;
    }
  }

  /** Splits the current row up to `count` fields; a field holds no raw tab or newline. */
  private splitUpTo(count: number): void {
    const buf = this.buf;
    const rowEnd = this.rowEnd;
    const wideField = this.plan.wideField;
    const last = this.plan.fields.length - 1;
    let i = this.splitCount;
    let pos = i === 0 ? this.starts[0]! : this.ends[i - 1]! + 1;
    for (; i < count; i++) {
      this.starts[i] = pos;
      let end: number;
      if (i === last) {
        end = rowEnd;
        const extra = buf.indexOf(TAB, pos);
        if (extra >= 0 && extra < rowEnd) this.badRow(count + 1);
      } else if (wideField[i] === 1) {
        end = buf.indexOf(TAB, pos);
        if (end < 0 || end > rowEnd) this.badRow(i + 1);
      } else {
        end = pos;
        while (end < rowEnd && buf[end] !== TAB) end++;
        if (end === rowEnd) this.badRow(i + 1);
      }
      this.ends[i] = end;
      pos = end + 1;
    }
    this.splitCount = count;
  }

  /** Splits the whole row and checks it has no field too many. */
  private splitAll(): void {
    if (this.splitCount === this.plan.fields.length) return;
    this.splitUpTo(this.plan.fields.length);
  }

  private badRow(seen: number): never {
    throw new CopiarError('COPY_MALFORMADO', `${this.spec.target}: fila ${this.counters.read} de COPY con ${seen} campos o menos de los ${this.plan.fields.length} esperados`);
  }

  private processRow(buf: Buffer, start: number, end: number): void {
    this.counters.read++;
    this.starts[0] = start;
    this.splitCount = 0;
    this.rowEnd = end;
    this.splitUpTo(this.plan.eagerSplit);
    this.writer.beginRow();
    this.rowAdjusted = false;
    const tail = this.plan.tail;
    try {
      const steps = this.plan.steps;
      for (let s = 0; s < steps.length; s++) {
        const step = steps[s]!;
        if (step.kind === 'copy') this.copyFields(step, buf);
        else this.applyRule(step, buf);
      }
      this.unique.check();
      // The unsplit rest of the row, its newline included.
      if (tail !== null) this.writer.raw(buf, tail.field === 0 ? start : this.ends[tail.field - 1]! + 1, end + 1, tail.target);
    } catch (error) {
      if (!(error instanceof RowRejection)) throw error;
      this.writer.abandonRow();
      this.rejectRow(buf, error);
      return;
    }
    this.writer.endRow(buf, tail === null);
    this.counters.written++;
    if (this.rowAdjusted) this.counters.adjusted++;
  }

  private copyFields(step: CopyStep, buf: Buffer): void {
    for (let f = step.first, k = 0; f <= step.last; f++, k++) this.writer.raw(buf, this.starts[f]!, this.ends[f]!, step.targets[k]!);
    if (!this.unique.active) return;
    step.targets.forEach((target, k) => {
      const f = step.first + k;
      if (this.unique.remembered.has(target)) this.unique.remember(target, decodeField(buf, this.starts[f]!, this.ends[f]!));
    });
  }

  private applyRule(step: RuleStep, buf: Buffer): void {
    const start = step.field >= 0 ? this.starts[step.field]! : 0;
    const end = step.field >= 0 ? this.ends[step.field]! : 0;
    const remember = this.unique.remembered.has(step.target);
    if (step.keepsRaw !== undefined && step.keepsRaw(buf, start, end)) {
      this.writer.raw(buf, start, end, step.target);
      if (remember) this.unique.remember(step.target, decodeField(buf, start, end));
      return;
    }
    let entry: MemoEntry | undefined;
    if (step.memo !== null) {
      entry = step.memo.get(buf, start, end);
      if (entry === undefined) {
        entry = this.evaluateForMemo(step, buf, start, end);
        step.memo.set(buf, start, end, entry);
      }
    } else if (step.valueOnly && isNullField(buf, start, end)) {
      entry = step.nullEntry ??= this.evaluateForMemo(step, buf, start, end);
    }
    if (entry !== undefined) {
      if (entry.rejection !== null) throw entry.rejection;
      if (entry.adjusted) this.rowAdjusted = true;
      if (entry.same) this.writer.raw(buf, start, end, step.target);
      else this.writer.bytes(buf, entry.bytes, step.target);
      if (remember) this.unique.remember(step.target, entry.value);
      return;
    }
    const value = step.rule(step.field >= 0 ? decodeField(buf, start, end) : null, this.view);
    this.writer.value(buf, value, step.target);
    if (remember) this.unique.remember(step.target, value);
  }

  private evaluateForMemo(step: RuleStep, buf: Buffer, start: number, end: number): MemoEntry {
    let adjusted = false;
    const view: RowView = { field: this.view.field, adjust: () => (adjusted = true) };
    try {
      const value = step.rule(decodeField(buf, start, end), view);
      const bytes = Buffer.from(encodeField(value));
      return { bytes, same: bytes.equals(buf.subarray(start, end)), value, adjusted, rejection: null };
    } catch (error) {
      if (!(error instanceof RowRejection)) throw error;
      return { bytes: Buffer.alloc(0), same: false, value: null, adjusted, rejection: error };
    }
  }

  private rejectRow(buf: Buffer, rejection: RowRejection): void {
    this.counters.rejected++;
    // A row with a field too many fails the table even when a rule rejected it first.
    this.splitAll();
    this.onReject({ reason: rejection.reason, detail: rejection.detail, row: buf.subarray(this.starts[0]!, this.rowEnd) });
  }
}
