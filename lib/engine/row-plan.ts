import type { RowRejection } from '../rules/rejection.js';
import type { FastRule } from '../rules/types.js';
import { isWide, sourceFields, wireColumns } from '../table-spec/field-order.js';
import type { AnyTableSpec, ColumnSpec } from '../table-spec/spec.js';
import { ByteKeyCache } from './byte-key-cache.js';

/** A memoized rule result for one raw value. */
export interface MemoEntry {
  bytes: Buffer;
  /** The output equals the raw input: copy it as part of the surrounding run. */
  same: boolean;
  value: string | null;
  adjusted: boolean;
  rejection: RowRejection | null;
}

/** A run of pass-through columns whose fields are consecutive: one byte copy, tabs included. */
export interface CopyStep {
  kind: 'copy';
  first: number;
  last: number;
  targets: number[];
}

export interface RuleStep {
  kind: 'rule';
  target: number;
  /** The source field, or -1 for a column computed from nothing (a constant). */
  field: number;
  rule: FastRule;
  keepsRaw: ((buf: Buffer, start: number, end: number) => boolean) | undefined;
  memo: ByteKeyCache<MemoEntry> | null;
  /** For a value-only rule: its result for NULL, computed on first use. */
  valueOnly: boolean;
  nullEntry: MemoEntry | undefined;
}

export type Step = CopyStep | RuleStep;

/**
 * How a table's rows are taken apart and put together: the source fields in wire order,
 * the steps that write the target columns before the tail, and the tail, the
 * pass-through columns at the end of the row, copied unsplit up to the newline.
 */
export interface RowPlan {
  fields: string[];
  fieldIndex: ReadonlyMap<string, number>;
  /** Fields scanned with a native byte search rather than a loop. */
  wideField: Uint8Array;
  steps: Step[];
  /** The first field of the tail and its target column, or null when every field is split. */
  tail: { field: number; target: number } | null;
  /** How many fields every row is split into before the rules run. */
  eagerSplit: number;
  /** Target position of a target column by name. */
  targetIndex: (name: string) => number;
}

/** How the columns of a table are found in its source fields. */
interface Layout {
  spec: AnyTableSpec;
  columns: ColumnSpec[];
  fields: string[];
  field: (name: string) => number;
  ruleOf: (target: number) => FastRule | undefined;
}

export function buildRowPlan(
  spec: AnyTableSpec,
  lookupRules: Record<string, FastRule>,
  /** The values of some columns are kept for the duplicate check: no tail then. */
  keepsValues: boolean,
): RowPlan {
  const columns = wireColumns(spec);
  const fields = sourceFields(spec);
  const fieldIndex = new Map(fields.map((name, i) => [name, i]));
  const field = (name: string): number => {
    const i = fieldIndex.get(name);
    if (i === undefined) throw new Error(`${spec.target}: campo de origen desconocido ${name}`);
    return i;
  };
  const layout: Layout = { spec, columns, fields, field, ruleOf: (i) => lookupRules[columns[i]!.name] ?? columns[i]!.rule };
  const wideField = new Uint8Array(fields.length);
  for (const column of columns) if (column.from !== undefined && isWide(column)) wideField[field(column.from)] = 1;
  const tail = keepsValues ? null : tailOf(layout);
  const targetIndex = (name: string): number => {
    const i = columns.findIndex((c) => c.name === name);
    if (i < 0) throw new Error(`${spec.target}: columna desconocida ${name}`);
    return i;
  };
  return { fields, fieldIndex, wideField, steps: stepsBefore(layout, tail?.target ?? columns.length), tail, eagerSplit: tail === null ? fields.length : tail.field, targetIndex };
}

/** The pass-through columns that read the last fields of the row, in order, if any. */
function tailOf({ columns, fields, field, ruleOf }: Layout): RowPlan['tail'] {
  let tailTarget = columns.length;
  while (tailTarget > 0) {
    const column = columns[tailTarget - 1]!;
    const expected = fields.length - (columns.length - tailTarget) - 1;
    if (ruleOf(tailTarget - 1) !== undefined || column.from === undefined || field(column.from) !== expected) break;
    tailTarget--;
  }
  return tailTarget < columns.length ? { field: field(columns[tailTarget]!.from!), target: tailTarget } : null;
}

/** The steps that write target columns 0 .. end-1: adjacent pass-through fields as one copy. */
function stepsBefore({ spec, columns, field, ruleOf }: Layout, end: number): Step[] {
  const steps: Step[] = [];
  columns.slice(0, end).forEach((column, target) => {
    const from = column.from === undefined ? -1 : field(column.from);
    const rule = ruleOf(target);
    if (rule === undefined) {
      if (from < 0) throw new Error(`${spec.target}.${column.name}: sin origen ni regla`);
      const last = steps[steps.length - 1];
      if (last?.kind === 'copy' && last.last === from - 1) {
        last.last = from;
        last.targets.push(target);
      } else {
        steps.push({ kind: 'copy', first: from, last: from, targets: [target] });
      }
      return;
    }
    steps.push({
      kind: 'rule',
      target,
      field: from,
      rule,
      keepsRaw: from >= 0 ? rule.keepsRaw : undefined,
      memo: column.memo && from >= 0 ? new ByteKeyCache<MemoEntry>() : null,
      valueOnly: from >= 0 && rule.valueOnly === true,
      nullEntry: undefined,
    });
  });
  return steps;
}
