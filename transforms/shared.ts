import type { IdSet } from '../lib/lookups/target-lookups.js';
import { reject, toE164 } from '../lib/rules/index.js';
import type { FastRule } from '../lib/rules/index.js';
import type { PreparedJoin } from '../lib/table-spec/spec.js';

/** A reference that must point at a proveedor this migration wrote. */
export function migratedProveedor(proveedores: IdSet): FastRule {
  return (value) => {
    if (!proveedores.has(value)) reject('proveedor_inexistente', `proveedor_id ${value ?? 'NULL'} no está entre los proveedores migrados`);
    return value;
  };
}

/** Marks a phone that could not be normalized, keeping what the user typed for the reject detail. */
const INVALID_MARK = '!';

/**
 * The E.164 phone of `<alias>.user_id` (any user_type): normalized once per user before
 * the copy, then looked up by key for each row (by the copy itself when it reads COPY
 * binary, else by the source's join), so the big tables never query a phone per row.
 */
export function userPhoneJoin(alias: string): PreparedJoin {
  return {
    alias: 'tel',
    query: 'SELECT id, phone_number FROM users',
    keyExpression: `${alias}.user_id`,
    requires: { users: ['id', 'phone_number'] },
    value: (raw) => {
      if (raw === null || raw.trim() === '') return null;
      return toE164(raw) ?? INVALID_MARK + raw;
    },
  };
}

/** The telefono rule over a userPhoneJoin value: E.164 passes as bytes, the rest is rejected. */
export function joinedUserPhone(): FastRule {
  const rule: FastRule = (value) => {
    if (value === null) reject('telefono_faltante', 'el usuario no existe o no tiene teléfono');
    if (value.startsWith(INVALID_MARK)) reject('telefono_invalido', `telefono: ${JSON.stringify(value.slice(INVALID_MARK.length))}`);
    return value;
  };
  rule.keepsRaw = (buf, start, end) => end > start && buf[start] === 0x2b; // '+'
  rule.keepsValue = rule.keepsRaw;
  // A user without a phone is the most common reject of mensajes: decided once.
  rule.valueOnly = true;
  return rule;
}
