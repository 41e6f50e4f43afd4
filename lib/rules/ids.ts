import { hash } from 'node:crypto';
import { parse as parseUuid } from 'uuid';
import { uuidText } from '../pg/copy-binary-in.js';

/** The namespace of every id copiar-tablas derives (contract.md, "Deterministic ids"). */
export const ID_NAMESPACE = '6f1c9a2e-3b7d-5e8f-9a0b-1c2d3e4f5a6b';
const NAMESPACE_BYTES = Buffer.from(parseUuid(ID_NAMESPACE));

/**
 * UUID v5 of `<source_table>:<key>`: the same source row always gets the same id.
 * RFC 9562's SHA-1 name-based id written out here, not uuid's `v5`: every row of
 * solicitudes_servicio takes one, and uuid builds a hash object and a byte array per call
 * (250k ids: 6.7–7.0 µs an id against 3.2–3.3 µs with one-shot `crypto.hash`).
 * test/rules-derived-id.ts holds it equal to uuid's `v5` over random names.
 */
export function derivedId(sourceTable: string, key: string): string {
  const digest = hash('sha1', Buffer.concat([NAMESPACE_BYTES, Buffer.from(`${sourceTable}:${key}`)]), 'buffer');
  // Version 5 in the high nibble of byte 6, the RFC variant in the top bits of byte 8.
  digest[6] = (digest[6]! & 0x0f) | 0x50;
  digest[8] = (digest[8]! & 0x3f) | 0x80;
  return uuidText(digest);
}
