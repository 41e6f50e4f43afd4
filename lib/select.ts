import type { AnyTableSpec } from './spec.js';
import { wireColumns } from './wire-order.js';

export function quoteIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

/**
 * The fields the source SELECT returns, in order. The fields no target column reads
 * (kept for the reject file and for rules that look at other fields) come first; then
 * the fields of the target columns in wire order, so that unchanged values sit next to
 * each other in both rows and a clean row's tail is copied as one byte range, up to its
 * newline, without being split.
 */
export function sourceFields(spec: AnyTableSpec): string[] {
  const read = wireColumns(spec)
    .map((column) => column.from)
    .filter((name): name is string => name !== undefined);
  const extras = [...spec.source.columns, ...Object.keys(spec.source.lookups ?? {})].filter((name) => !read.includes(name));
  return [...new Set([...extras, ...read])];
}

export function fieldExpression(spec: AnyTableSpec, field: string): string {
  const lookup = spec.source.lookups?.[field];
  if (lookup !== undefined) return lookup;
  if (!spec.source.columns.includes(field)) throw new Error(`${spec.target}: el campo ${field} no es columna de ${spec.source.table} ni una búsqueda`);
  return `${spec.source.alias}.${quoteIdent(field)}`;
}

export interface SelectOptions {
  /** An extra condition, e.g. a primary-key range of one chunk. */
  extraWhere?: string;
  /** The prepared join's SQL, built from the values computed before the copy. */
  preparedJoin?: string;
}

/**
 * `COPY (SELECT ...) TO STDOUT` in three pieces: the text before the prepared join, the
 * prepared join, the text after it. Sent as pieces (CopyOutStream), the join's megabytes
 * of array literal are not copied into a new string for every range of a table.
 */
export function copyOutQuery(spec: AnyTableSpec, options: SelectOptions = {}): [string, string, string] {
  const { source } = spec;
  const list = sourceFields(spec).map((field) => `${fieldExpression(spec, field)} AS ${quoteIdent(field)}`);
  const conditions = [source.where, options.extraWhere].filter((c): c is string => Boolean(c));
  const words = (parts: string[]): string => parts.filter((part) => part !== '').join(' ');
  return [
    words([`COPY (SELECT ${list.join(', ')}`, `FROM ${quoteIdent(source.table)} ${source.alias}`, source.joins ?? '']) + ' ',
    options.preparedJoin ?? '',
    ' ' +
      words([
        conditions.length > 0 ? `WHERE ${conditions.map((c) => `(${c})`).join(' AND ')}` : '',
        source.orderBy ? `ORDER BY ${source.orderBy}` : '',
        ') TO STDOUT',
      ]),
  ];
}

/** The same query as one string. */
export function copyOutSql(spec: AnyTableSpec, options: SelectOptions = {}): string {
  return copyOutQuery(spec, options).join('');
}

/** The target columns as COPY FROM lists them: in wire order, the order the transform writes. */
export function wireColumnList(spec: AnyTableSpec): string {
  return wireColumns(spec)
    .map((c) => quoteIdent(c.name))
    .join(', ');
}

export function copyInSql(spec: AnyTableSpec, options: { freeze: boolean }): string {
  return `COPY ${quoteIdent(spec.target)} (${wireColumnList(spec)}) FROM STDIN${options.freeze ? ' WITH (FREEZE)' : ''}`;
}
