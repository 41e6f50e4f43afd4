import { parse as parseUuid, v5 as uuidv5 } from 'uuid';

/** The namespace of every id copiar-tablas derives (contract.md, "Deterministic ids"). */
export const ID_NAMESPACE = '6f1c9a2e-3b7d-5e8f-9a0b-1c2d3e4f5a6b';
// As bytes once: given as text, uuid parses the namespace again for every id (a third of its cost).
const NAMESPACE_BYTES = parseUuid(ID_NAMESPACE);

/** UUID v5 of `<source_table>:<key>`: the same source row always gets the same id. */
export function derivedId(sourceTable: string, key: string): string {
  return uuidv5(`${sourceTable}:${key}`, NAMESPACE_BYTES);
}
