// The servers' floor for copiar-tablas' copy of mensajes: the rows copiar-tablas has just
// written, copied by the servers alone into a table of the same definition. The source
// side reads finished rows (no join, no rejected rows, no rule), the target receives them
// in binary and writes them frozen in one transaction, with the same constraints; nobody
// is in between. copiar-tablas writes the same rows into the same table and reads more
// to get them, so its copy cannot take less than this one (within the machine's noise):
// the bound against which a copy target is reachable or not.
import { createTableSql } from '../lib/schema/ddl.js';
import { mensajes } from '../transforms/mensajes.js';

export const FLOOR_TABLE = 'mensajes_suelo';

export const FLOOR_TABLE_DDL = createTableSql({ ...mensajes, target: FLOOR_TABLE });

/** Reads the table copiar-tablas loaded: run it right after copiar-tablas. */
export const FLOOR_COPY_OUT = `COPY ${mensajes.target} TO STDOUT (FORMAT binary)`;
