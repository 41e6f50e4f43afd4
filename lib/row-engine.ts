import { ByteKeyCache } from './byte-key-cache.js';
import { ByteSink } from './byte-sink.js';
import { NEWLINE, TAB, decodeField, encodeField } from './copy-text.js';
import { CopiarError, RowRejection } from './errors.js';
import { sourceFields } from './select.js';
import type { AnyTableSpec, FastRule } from './spec.js';
import type { RowView } from './rules/types.js';

export interface RejectedRow {
  reason: string;
  detail: string;
  sourceId: string | null;
  /** The source columns' original values, in the legacy table's column order. */
  values: (string | null)[];
}

export interface RowCounters {
  read: number;
  written: number;
  rejected: number;
  adjusted: number;
}

interface MemoEntry {
  bytes: Buffer;
  /** The output equals the raw input: copy it as part of the surrounding run. */
  same: boolean;
  value: string | null;
  adjusted: boolean;
  rejection: RowRejection | null;
}

type Step =
  // A run of pass-through columns whose fields are consecutive: one byte copy, tabs included.
  | { kind: 'copy'; first: number; last: number; targets: number[] }
  | {
      kind: 'rule';
      target: number;
      field: number;
      rule: FastRule;
      keepsRaw: ((buf: Buffer, start: number, end: number) => boolean) | undefined;
      memo: ByteKeyCache<MemoEntry> | null;
    };

/**
 * Applies a table's column rules to complete rows of COPY text and writes the target
 * rows to a ByteSink. Plain and synchronous: the stream shell only feeds it bytes.
 */
export class RowEngine {
  readonly counters: RowCounters = { read: 0, written: 0, rejected: 0, adjusted: 0 };
  private readonly fields: string[];
  private readonly fieldIndex = new Map<string, number>();
  private readonly steps: Step[] = [];
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  /** Output values kept for the current row: unique keys and the kept id. */
  private readonly remembered: (string | null)[];
  private readonly rememberedTargets: Set<number>;
  private readonly uniqueKeys: { columns: number[]; names: string[]; seen: Map<string, string | null> }[];
  private readonly keptIdTarget: number;
  private readonly sourceColumnFields: number[];
  private readonly sourceIdField: number;
  private buf: Buffer = Buffer.alloc(0);
  private rowAdjusted = false;
  private readonly view: RowView;

  constructor(
    private readonly spec: AnyTableSpec,
    private readonly sink: ByteSink,
    private readonly onReject: (row: RejectedRow) => void,
    lookupRules: Record<string, FastRule> = {},
  ) {
    this.fields = sourceFields(spec);
    this.fields.forEach((name, i) => this.fieldIndex.set(name, i));
    this.starts = new Int32Array(this.fields.length);
    this.ends = new Int32Array(this.fields.length);
    const targetIndex = (name: string): number => {
      const i = spec.columns.findIndex((c) => c.name === name);
      if (i < 0) throw new Error(`${spec.target}: columna desconocida ${name}`);
      return i;
    };
    this.uniqueKeys = (spec.unique ?? []).map((names) => ({ columns: names.map(targetIndex), names, seen: new Map() }));
    this.keptIdTarget = targetIndex(spec.keptIdColumn);
    // Values are only decoded for the duplicate check; tables without UNIQUE keys skip it.
    this.rememberedTargets = new Set(this.uniqueKeys.length > 0 ? [this.keptIdTarget, ...this.uniqueKeys.flatMap((k) => k.columns)] : []);
    this.remembered = new Array<string | null>(spec.columns.length).fill(null);
    this.sourceColumnFields = spec.source.columns.map((name) => this.field(name));
    this.sourceIdField = this.field(spec.source.idColumn);

    spec.columns.forEach((column, target) => {
      const field = column.from === undefined ? -1 : this.field(column.from);
      const rule = lookupRules[column.name] ?? column.rule;
      if (rule === undefined) {
        if (field < 0) throw new Error(`${spec.target}.${column.name}: sin origen ni regla`);
        const last = this.steps[this.steps.length - 1];
        if (last?.kind === 'copy' && last.last === field - 1) {
          last.last = field;
          last.targets.push(target);
        } else {
          this.steps.push({ kind: 'copy', first: field, last: field, targets: [target] });
        }
        return;
      }
      this.steps.push({
        kind: 'rule',
        target,
        field,
        rule,
        keepsRaw: field >= 0 ? rule.keepsRaw : undefined,
        memo: column.memo && field >= 0 ? new ByteKeyCache<MemoEntry>() : null,
      });
    });

    const engine = this;
    this.view = {
      field(name: string): string | null {
        const i = engine.field(name);
        return decodeField(engine.buf, engine.starts[i]!, engine.ends[i]!);
      },
      adjust(): void {
        engine.rowAdjusted = true;
      },
    };
  }

  private field(name: string): number {
    const i = this.fieldIndex.get(name);
    if (i === undefined) throw new Error(`${this.spec.target}: campo de origen desconocido ${name}`);
    return i;
  }

  /** Processes the complete rows in buf[start, end); `end` is just past a newline. */
  processRows(buf: Buffer, start: number, end: number): void {
    this.buf = buf;
    let rowStart = start;
    while (rowStart < end) {
      let rowEnd = buf.indexOf(NEWLINE, rowStart);
      if (rowEnd < 0 || rowEnd >= end) rowEnd = end;
      this.processRow(buf, rowStart, rowEnd);
      rowStart = rowEnd + 1;
    }
  }

  private splitFields(buf: Buffer, start: number, end: number): void {
    const count = this.fields.length;
    let pos = start;
    for (let i = 0; i < count - 1; i++) {
      const tab = buf.indexOf(TAB, pos);
      if (tab < 0 || tab >= end) this.badRow(i + 1);
      this.starts[i] = pos;
      this.ends[i] = tab;
      pos = tab + 1;
    }
    this.starts[count - 1] = pos;
    this.ends[count - 1] = end;
    const extra = buf.indexOf(TAB, pos);
    if (extra >= 0 && extra < end) this.badRow(count + 1);
  }

  private badRow(seen: number): never {
    throw new CopiarError('TABLA_FALLIDA', `${this.spec.target}: fila ${this.counters.read} de COPY con ${seen} campos o menos de los ${this.fields.length} esperados`, { exitCode: 1 });
  }

  // The run of raw input bytes waiting to be copied: consecutive output fields that are
  // unchanged and consecutive in the input (tabs included) go out as one copy.
  private runStart = -1;
  private runEnd = -1;

  private emitRaw(buf: Buffer, field: number, target: number): void {
    const start = this.starts[field]!;
    if (this.runStart >= 0 && this.runEnd + 1 === start) {
      this.runEnd = this.ends[field]!;
      return;
    }
    this.flushRun(buf);
    if (target !== 0) this.sink.writeByte(TAB);
    this.runStart = start;
    this.runEnd = this.ends[field]!;
  }

  private emitBytes(buf: Buffer, bytes: Buffer, target: number): void {
    this.flushRun(buf);
    if (target !== 0) this.sink.writeByte(TAB);
    this.sink.writeBytes(bytes, 0, bytes.length);
  }

  private emitString(buf: Buffer, text: string, target: number): void {
    this.flushRun(buf);
    if (target !== 0) this.sink.writeByte(TAB);
    this.sink.writeString(text);
  }

  private flushRun(buf: Buffer): void {
    if (this.runStart < 0) return;
    this.sink.writeBytes(buf, this.runStart, this.runEnd);
    this.runStart = -1;
  }

  private processRow(buf: Buffer, start: number, end: number): void {
    this.counters.read++;
    this.splitFields(buf, start, end);
    const sink = this.sink;
    sink.beginRow();
    this.rowAdjusted = false;
    this.runStart = -1;
    try {
      const steps = this.steps;
      for (let s = 0; s < steps.length; s++) {
        const step = steps[s]!;
        if (step.kind === 'copy') {
          for (let f = step.first, k = 0; f <= step.last; f++, k++) this.emitRaw(buf, f, step.targets[k]!);
          if (this.rememberedTargets.size > 0) this.rememberCopied(step, buf);
        } else {
          this.applyRule(step, buf);
        }
      }
      this.flushRun(buf);
      this.checkUnique();
      sink.writeByte(NEWLINE);
    } catch (error) {
      if (!(error instanceof RowRejection)) throw error;
      this.runStart = -1;
      sink.abandonRow();
      this.rejectRow(buf, error);
      return;
    }
    sink.endRow();
    this.counters.written++;
    if (this.rowAdjusted) this.counters.adjusted++;
  }

  private rememberCopied(step: Extract<Step, { kind: 'copy' }>, buf: Buffer): void {
    step.targets.forEach((target, k) => {
      if (this.rememberedTargets.has(target)) {
        const field = step.first + k;
        this.remembered[target] = decodeField(buf, this.starts[field]!, this.ends[field]!);
      }
    });
  }

  private applyRule(step: Extract<Step, { kind: 'rule' }>, buf: Buffer): void {
    const start = step.field >= 0 ? this.starts[step.field]! : 0;
    const end = step.field >= 0 ? this.ends[step.field]! : 0;
    const remember = this.rememberedTargets.has(step.target);
    if (step.keepsRaw !== undefined && step.keepsRaw(buf, start, end)) {
      this.emitRaw(buf, step.field, step.target);
      if (remember) this.remembered[step.target] = decodeField(buf, start, end);
      return;
    }
    if (step.memo !== null) {
      let entry = step.memo.get(buf, start, end);
      if (entry === undefined) {
        entry = this.evaluateForMemo(step, buf, start, end);
        step.memo.set(buf, start, end, entry);
      }
      if (entry.rejection !== null) throw entry.rejection;
      if (entry.adjusted) this.rowAdjusted = true;
      if (entry.same) this.emitRaw(buf, step.field, step.target);
      else this.emitBytes(buf, entry.bytes, step.target);
      if (remember) this.remembered[step.target] = entry.value;
      return;
    }
    const value = step.rule(step.field >= 0 ? decodeField(buf, start, end) : null, this.view);
    this.emitString(buf, encodeField(value), step.target);
    if (remember) this.remembered[step.target] = value;
  }

  private evaluateForMemo(step: Extract<Step, { kind: 'rule' }>, buf: Buffer, start: number, end: number): MemoEntry {
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

  private checkUnique(): void {
    if (this.uniqueKeys.length === 0) return;
    const keys: string[] = [];
    for (const unique of this.uniqueKeys) {
      const values = unique.columns.map((c) => this.remembered[c]);
      // NULLs never collide in a UNIQUE constraint.
      if (values.some((v) => v === null)) {
        keys.push('');
        continue;
      }
      const key = values.join('\u0000');
      const kept = unique.seen.get(key);
      if (kept !== undefined) {
        const described = unique.names.map((name, i) => `${name}=${values[i]}`).join(', ');
        throw new RowRejection('duplicado', `${described} ya migrado con ${this.spec.keptIdColumn}=${kept}`);
      }
      keys.push(key);
    }
    // Only a row that passes every key claims them.
    const keptId = this.remembered[this.keptIdTarget] ?? null;
    this.uniqueKeys.forEach((unique, i) => {
      if (keys[i] !== '') unique.seen.set(keys[i]!, keptId);
    });
  }

  private rejectRow(buf: Buffer, rejection: RowRejection): void {
    this.counters.rejected++;
    const values = this.sourceColumnFields.map((f) => decodeField(buf, this.starts[f]!, this.ends[f]!));
    const id = decodeField(buf, this.starts[this.sourceIdField]!, this.ends[this.sourceIdField]!);
    this.onReject({ reason: rejection.reason, detail: rejection.detail, sourceId: id, values });
  }
}
