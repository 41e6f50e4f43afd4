import type pg from 'pg';
import { preparedJoinFromValues } from '../lookups/prepared-join.js';
import { sourceTypesOf, type SourceType } from '../pg/copy-binary-in.js';
import { selectQuery } from '../table-spec/copy-sql.js';
import { preparedJoinFields, sourceFields } from '../table-spec/field-order.js';
import type { AnyTableSpec } from '../table-spec/spec.js';

/**
 * The type of each field of the table's source SELECT when all of them can be read from
 * COPY binary (binary-input-engine.ts), else null and the table is read as text. The
 * server says the types: the SELECT with an empty prepared join, planned and never run
 * (LIMIT 0), on the source session, which it neither writes nor leaves anything on.
 * With `joinInProcess` the prepared join's fields are its keys, as that copy reads them.
 * Tables with unique keys keep the text path: their duplicate check reads COPY text.
 */
export async function binarySourceTypes(source: pg.ClientBase, spec: AnyTableSpec, options: { joinInProcess?: boolean } = {}): Promise<SourceType[] | null> {
  if ((spec.unique ?? []).length > 0) return null;
  const emptyJoin = spec.source.prepared === undefined || options.joinInProcess === true ? undefined : preparedJoinFromValues(spec.source.prepared, new Map());
  const result = await source.query(`SELECT * FROM (${selectQuery(spec, { preparedJoin: emptyJoin, joinInProcess: options.joinInProcess }).join('')}) AS tipos LIMIT 0`);
  return sourceTypesOf(result.fields.map((field) => field.dataTypeID));
}

/**
 * The field types for a binary copy that does the prepared join itself, or null when it
 * cannot: some type is not read in binary, or a joined field's key is not a uuid.
 */
export async function joinInProcessTypes(source: pg.ClientBase, spec: AnyTableSpec): Promise<SourceType[] | null> {
  const types = await binarySourceTypes(source, spec, { joinInProcess: true });
  if (types === null) return null;
  const fields = sourceFields(spec);
  return preparedJoinFields(spec).every((field) => types[fields.indexOf(field)] === 'uuid') ? types : null;
}
