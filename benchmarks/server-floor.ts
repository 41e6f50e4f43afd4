// The servers' floor for mensajes: the least the two PostgreSQL servers must do to move
// these rows, with nobody in between doing any work. The source reads `messages` and
// joins each row to its user's phone, the target receives the rows in binary and writes
// them, frozen, in one transaction; no rule, no CHECK, no NOT NULL, no length check
// (the varchar columns are text here, so over-long dirty values load too). copiar-tablas
// and the pipe each do all of this and more, so neither copy can be faster than this one:
// it is the bound against which a copy target is reachable or not.
import { canonicalType } from '../lib/table-spec/column-type.js';
import { mensajes } from '../transforms/mensajes.js';

export const FLOOR_TABLE = 'mensajes_suelo';

export const FLOOR_TABLE_DDL = `CREATE TABLE ${FLOOR_TABLE} (${mensajes.columns
  .map((c) => `"${c.name}" ${canonicalType(c.type).replace(/^character varying\(\d+\)$/, 'text')}`)
  .join(', ')})`;

/** The source columns copiar-tablas reads, the phone through the same join, in the target's column order. */
export const FLOOR_SELECT = `SELECT m.id, m.conversation_id, u.phone_number, m.message_type, m.content, m.media_url,
  m.media_type, m.ai_response, m.processing_status, m.metadata, m."timestamp"
FROM messages m LEFT JOIN users u ON u.id = m.user_id`;
