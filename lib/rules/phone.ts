import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { reject } from './rejection.js';
import type { Rule } from './types.js';

/** E.164 for a phone as users typed it, with Ecuador as the default country; null when unusable. */
export function toE164(raw: string): string | null {
  const parsed = parsePhoneNumberFromString(raw, 'EC');
  return parsed !== undefined && parsed.isValid() ? parsed.number : null;
}

/** A required phone: missing is `telefono_faltante`, unparseable or invalid `telefono_invalido`. */
export function phone(column = 'telefono'): Rule {
  return (value) => {
    if (value === null || value.trim() === '') reject('telefono_faltante', `${column} vacío`);
    const e164 = toE164(value);
    if (e164 === null) reject('telefono_invalido', `${column}: ${JSON.stringify(value)}`);
    return e164;
  };
}
