import { quoteIdent } from '../pg/quote.js';
import { fieldExpression, sourceFields, wireColumns } from './field-order.js';
import type { AnyTableSpec } from './spec.js';

export interface SelectOptions {
  /** An extra condition: the primary-key range being copied. */
  rangeWhere?: string;
  /** The prepared join's SQL, built from the values computed before the copy. */
  preparedJoin?: string;
  /** No join: the prepared join's fields carry its key, and the process looks the values up (binary input only). */
  joinInProcess?: boolean;
}

export interface CopyOutOptions extends SelectOptions {
  /** `WITH (FORMAT binary)`: the fields' send forms instead of their text. */
  binary?: boolean;
}

/**
 * `COPY (SELECT ...) TO STDOUT` in three pieces: the text before the prepared join, the
 * prepared join, the text after it. Sent as pieces (CopyOutStream), the join's megabytes
 * of array literal are not copied into a new string for every range of a table.
 */
export function copyOutQuery(spec: AnyTableSpec, options: CopyOutOptions = {}): [string, string, string] {
  const [head, join, tail] = selectQuery(spec, options);
  return [`COPY (${head}`, join, `${tail}) TO STDOUT${options.binary === true ? ' WITH (FORMAT binary)' : ''}`];
}

/** The source SELECT alone, in the same three pieces. */
export function selectQuery(spec: AnyTableSpec, options: SelectOptions = {}): [string, string, string] {
  const { source } = spec;
  const list = sourceFields(spec).map((field) => `${fieldExpression(spec, field, { joinInProcess: options.joinInProcess })} AS ${quoteIdent(field)}`);
  const conditions = [source.where, options.rangeWhere].filter((c): c is string => Boolean(c));
  const words = (parts: string[]): string => parts.filter((part) => part !== '').join(' ');
  return [
    words([`SELECT ${list.join(', ')}`, `FROM ${quoteIdent(source.table)} ${source.alias}`, source.joins ?? '']) + ' ',
    options.joinInProcess === true ? '' : (options.preparedJoin ?? ''),
    ' ' + words([conditions.length > 0 ? `WHERE ${conditions.map((c) => `(${c})`).join(' AND ')}` : '', source.orderBy ? `ORDER BY ${source.orderBy}` : '']),
  ];
}

/** The same query as one string. */
export function copyOutSql(spec: AnyTableSpec, options: CopyOutOptions = {}): string {
  return copyOutQuery(spec, options).join('');
}

/** The target columns as COPY FROM lists them: in wire order, the order the transform writes. */
export function wireColumnList(spec: AnyTableSpec): string {
  return wireColumns(spec)
    .map((c) => quoteIdent(c.name))
    .join(', ');
}

/** COPY FROM into the table, or into `into` (an already quoted name, e.g. a temporary table). */
export function copyInSql(spec: AnyTableSpec, options: { freeze: boolean; into?: string; binary?: boolean }): string {
  const settings = [options.binary === true ? 'FORMAT binary' : '', options.freeze ? 'FREEZE' : ''].filter((s) => s !== '');
  return `COPY ${options.into ?? quoteIdent(spec.target)} (${wireColumnList(spec)}) FROM STDIN${settings.length > 0 ? ` WITH (${settings.join(', ')})` : ''}`;
}
