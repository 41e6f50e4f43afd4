import { ByteKeyCache } from './byte-key-cache.js';
import { ByteSink } from './byte-sink.js';
import { NEWLINE, TAB, decodeField, encodeField, isNullField } from './copy-text.js';
import { CopiarError, RowRejection } from './errors.js';
import { sourceFields } from './select.js';
import { isWide, wireColumns } from './wire-order.js';
import type { AnyTableSpec, FastRule } from './spec.js';
import type { RowView } from './rules/types.js';

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
      /** For a value-only rule: its result for NULL, computed on first use. */
      valueOnly: boolean;
      nullEntry: MemoEntry | undefined;
    };

/**
 * Applies a table's column rules to complete rows of COPY text and writes the target
 * rows to a ByteSink. Plain and synchronous: the stream shell only feeds it bytes.
 *
 * Fields arrive in wire order (see wire-order.ts): a row is split only as far as its
 * last field with a rule; the fields after it are copied with the rest of the row up to
 * the newline, unsplit. Every other field is split on demand (a rejected row, a rule
 * that reads another field).
 */
export class RowEngine {
  readonly counters: RowCounters = { read: 0, written: 0, rejected: 0, adjusted: 0 };
  private readonly fields: string[];
  private readonly fieldIndex = new Map<string, number>();
  /** Fields scanned with a native byte search rather than a loop. */
  private readonly wideField: Uint8Array;
  private readonly steps: Step[] = [];
  /** The pass-through columns after the last ruled field: [first field, its target]. */
  private readonly tail: { field: number; target: number } | null;
  /** How many fields every row is split into before the rules run. */
  private readonly eagerSplit: number;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  /** Fields of the current row split so far, and where the row ends. */
  private splitCount = 0;
  private rowEnd = 0;
  /** Output values kept for the current row: unique keys and the kept id. */
  private readonly remembered: (string | null)[];
  private readonly rememberedTargets: Set<number>;
  private readonly uniqueKeys: { columns: number[]; names: string[]; seen: Map<string, string | null> }[];
  private readonly keptIdTarget: number;
  private buf: Buffer = Buffer.alloc(0);
  private rowAdjusted = false;
  private readonly view: RowView;

  constructor(
    private readonly spec: AnyTableSpec,
    private readonly sink: ByteSink,
    private readonly onReject: (rejection: RawRejection) => void,
    lookupRules: Record<string, FastRule> = {},
  ) {
    const columns = wireColumns(spec);
    this.fields = sourceFields(spec);
    this.fields.forEach((name, i) => this.fieldIndex.set(name, i));
    this.starts = new Int32Array(this.fields.length);
    this.ends = new Int32Array(this.fields.length);
    this.wideField = new Uint8Array(this.fields.length);
    columns.forEach((column) => {
      if (column.from !== undefined && isWide(column)) this.wideField[this.field(column.from)] = 1;
    });
    const targetIndex = (name: string): number => {
      const i = columns.findIndex((c) => c.name === name);
      if (i < 0) throw new Error(`${spec.target}: columna desconocida ${name}`);
      return i;
    };
    this.uniqueKeys = (spec.unique ?? []).map((names) => ({ columns: names.map(targetIndex), names, seen: new Map() }));
    this.keptIdTarget = targetIndex(spec.keptIdColumn);
    // Values are only decoded for the duplicate check; tables without UNIQUE keys skip it.
    this.rememberedTargets = new Set(this.uniqueKeys.length > 0 ? [this.keptIdTarget, ...this.uniqueKeys.flatMap((k) => k.columns)] : []);
    this.remembered = new Array<string | null>(columns.length).fill(null);

    // The tail: pass-through columns reading the last fields of the row, in order.
    let tailTarget = columns.length;
    while (tailTarget > 0) {
      const column = columns[tailTarget - 1]!;
      const rule = lookupRules[column.name] ?? column.rule;
      const expected = this.fields.length - (columns.length - tailTarget) - 1;
      if (rule !== undefined || column.from === undefined || this.field(column.from) !== expected) break;
      tailTarget--;
    }
    const remembers = this.rememberedTargets.size > 0;
    this.tail = tailTarget < columns.length && !remembers ? { field: this.field(columns[tailTarget]!.from!), target: tailTarget } : null;
    this.eagerSplit = this.tail === null ? this.fields.length : this.tail.field;

    columns.slice(0, this.tail?.target ?? columns.length).forEach((column, target) => {
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
        valueOnly: field >= 0 && rule.valueOnly === true,
        nullEntry: undefined,
      });
    });

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

  /** Splits the current row up to `count` fields; a field holds no raw tab or newline. */
  private splitUpTo(count: number): void {
    const buf = this.buf;
    const rowEnd = this.rowEnd;
    const last = this.fields.length - 1;
    let i = this.splitCount;
    let pos = i === 0 ? this.starts[0]! : this.ends[i - 1]! + 1;
    for (; i < count; i++) {
      this.starts[i] = pos;
      let end: number;
      if (i === last) {
        end = rowEnd;
        const extra = buf.indexOf(TAB, pos);
        if (extra >= 0 && extra < rowEnd) this.badRow(count + 1);
      } else if (this.wideField[i] === 1) {
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
    if (this.splitCount === this.fields.length) return;
    this.splitUpTo(this.fields.length);
  }

  private badRow(seen: number): never {
    throw new CopiarError('TABLA_FALLIDA', `${this.spec.target}: fila ${this.counters.read} de COPY con ${seen} campos o menos de los ${this.fields.length} esperados`, { exitCode: 1 });
  }

  // The run of raw input bytes waiting to be copied: consecutive output fields that are
  // unchanged and consecutive in the input (tabs included) go out as one copy.
  private runStart = -1;
  private runEnd = -1;

  private emitRaw(buf: Buffer, field: number, target: number): void {
    this.emitRange(buf, this.starts[field]!, this.ends[field]!, target);
  }

  /** Where the tail's first field starts: just past the last split field. */
  private tailStart(): number {
    const field = this.tail!.field;
    return field === 0 ? this.starts[0]! : this.ends[field - 1]! + 1;
  }

  private emitRange(buf: Buffer, start: number, end: number, target: number): void {
    if (this.runStart >= 0 && this.runEnd + 1 === start) {
      this.runEnd = end;
      return;
    }
    this.flushRun(buf);
    if (target !== 0) this.sink.writeByte(TAB);
    this.runStart = start;
    this.runEnd = end;
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
    this.starts[0] = start;
    this.splitCount = 0;
    this.rowEnd = end;
    this.splitUpTo(this.eagerSplit);
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
      this.checkUnique();
      if (this.tail !== null) {
        // The unsplit rest of the row, its newline included.
        this.emitRange(buf, this.tailStart(), end + 1, this.tail.target);
        this.flushRun(buf);
      } else {
        this.flushRun(buf);
        sink.writeByte(NEWLINE);
      }
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
    // A row with a field too many fails the table even when a rule rejected it first.
    this.splitAll();
    this.onReject({ reason: rejection.reason, detail: rejection.detail, row: buf.subarray(this.starts[0]!, this.rowEnd) });
  }
}
