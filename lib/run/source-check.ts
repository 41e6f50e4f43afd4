import type pg from 'pg';
import { CopiarError } from '../errors.js';
import { unreadableTables } from '../pg/privileges.js';
import { requiredSourceColumns } from '../table-spec/source-columns.js';
import type { AnyTableSpec } from '../table-spec/spec.js';

/** What the source lacks for these tables, one sentence per missing grant or table. */
export interface SourceProblems {
  denied: string[];
  missing: string[];
}

export async function inspectSource(client: pg.ClientBase, specs: readonly AnyTableSpec[]): Promise<SourceProblems> {
  const required = requiredSourceColumns(specs);
  const unreadable = await unreadableTables(client, required.keys());
  const denied = unreadable.map((table) => `sin permiso SELECT sobre ${table} en el origen (GRANT SELECT ON ${table} TO <usuario>)`);
  const { rows } = await client.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ANY($1)`,
    [[...required.keys()]],
  );
  const missing: string[] = [];
  for (const [table, columns] of required) {
    // A table the user may not read shows no columns: its grant is the problem.
    if (unreadable.includes(table)) continue;
    const present = new Set(rows.filter((r) => r.table_name === table).map((r) => r.column_name));
    if (present.size === 0) {
      missing.push(`no existe la tabla ${table}`);
      continue;
    }
    const absent = [...columns].filter((c) => !present.has(c));
    if (absent.length > 0) missing.push(`a ${table} le falta ${absent.join(', ')}`);
  }
  return { denied, missing };
}

/** Source tables or columns that are not there: the source is not the legacy database the specs read. */
export function incompleteSourceError(missing: string[]): CopiarError | null {
  if (missing.length === 0) return null;
  return new CopiarError('ORIGEN_INCOMPLETO', `La base de origen no tiene lo que la migración lee (${missing.join('; ')}): revise que --source apunte a la base heredada correcta.`, {
    context: { problems: missing },
  });
}

export function sourceError(problems: SourceProblems): CopiarError | null {
  if (problems.denied.length > 0) {
    return new CopiarError('PERMISOS_INSUFICIENTES', `El usuario de origen no puede leer lo que la migración necesita: ${problems.denied.join('; ')}.`, { context: { problems: problems.denied } });
  }
  return incompleteSourceError(problems.missing);
}
