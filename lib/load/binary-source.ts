import type pg from 'pg';
import { preparedJoinFromValues } from '../lookups/prepared-join.js';
import { sourceTypesOf, type SourceType } from '../pg/copy-binary-in.js';
import { selectQuery } from '../table-spec/copy-sql.js';
import type { AnyTableSpec } from '../table-spec/spec.js';

/**
 * The type of each field of the table's source SELECT when all of them can be read from
 * COPY binary (binary-input-engine.ts), else null and the table is read as text. The
 * server says the types: the SELECT with an empty prepared join, planned and never run
 * (LIMIT 0), on the source session, which it neither writes nor leaves anything on.
 * Tables with unique keys keep the text path: their duplicate check reads COPY text.
 */
export async function binarySourceTypes(source: pg.ClientBase, spec: AnyTableSpec): Promise<SourceType[] | null> {
  if ((spec.unique ?? []).length > 0) return null;
  const emptyJoin = spec.source.prepared === undefined ? undefined : preparedJoinFromValues(spec.source.prepared, new Map());
  const result = await source.query(`SELECT * FROM (${selectQuery(spec, { preparedJoin: emptyJoin }).join('')}) AS tipos LIMIT 0`);
  return sourceTypesOf(result.fields.map((field) => field.dataTypeID));
}
