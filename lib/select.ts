import type { AnyTableSpec } from './spec.js';

export function quoteIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

/**
 * The fields the source SELECT returns, in order. Fields follow the target columns
 * first, so that pass-through columns sit next to each other in both rows and can be
 * copied as one byte range; the remaining source columns (needed by the reject file)
 * come after.
 */
export function sourceFields(spec: AnyTableSpec): string[] {
  const fields: string[] = [];
  const add = (name: string | undefined): void => {
    if (name !== undefined && !fields.includes(name)) fields.push(name);
  };
  for (const column of spec.columns) add(column.from);
  for (const name of spec.source.columns) add(name);
  for (const name of Object.keys(spec.source.lookups ?? {})) add(name);
  return fields;
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

export function sourceSelect(spec: AnyTableSpec, options: SelectOptions = {}): string {
  const { source } = spec;
  const list = sourceFields(spec).map((field) => `${fieldExpression(spec, field)} AS ${quoteIdent(field)}`);
  const conditions = [source.where, options.extraWhere].filter((c): c is string => Boolean(c));
  return [
    `SELECT ${list.join(', ')}`,
    `FROM ${quoteIdent(source.table)} ${source.alias}`,
    source.joins ?? '',
    options.preparedJoin ?? '',
    conditions.length > 0 ? `WHERE ${conditions.map((c) => `(${c})`).join(' AND ')}` : '',
    source.orderBy ? `ORDER BY ${source.orderBy}` : '',
  ]
    .filter((part) => part !== '')
    .join(' ');
}

/** The SELECT as a COPY TO source. */
export function copyOutSql(spec: AnyTableSpec, options: SelectOptions = {}): string {
  return `COPY (${sourceSelect(spec, options)}) TO STDOUT`;
}

export function copyInSql(spec: AnyTableSpec, options: { freeze: boolean }): string {
  const columns = spec.columns.map((c) => quoteIdent(c.name)).join(', ');
  return `COPY ${quoteIdent(spec.target)} (${columns}) FROM STDIN${options.freeze ? ' WITH (FREEZE)' : ''}`;
}
