import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { reject } from './rejection.js';
import type { Rule } from './types.js';

// libphonenumber-js takes about 18 µs a phone, and the same phone comes typed in many
// ways ("+593 99 123 4567", "(099) 123-4567", ...): at 5M messages, 178k distinct strings
// in 250k service requests, for 25k customers, and each read twice (telefono and
// cliente_id). Written only with digits, '+' and the separators the library drops
// anyway, a phone is parsed once in its separator-free form, which the library reads
// exactly as the typed one (test/rules-phone-separators.ts holds that over random
// strings); anything else is parsed as typed.
const SEPARATORS_ONLY = /^[0-9+ ().-]{1,64}$/;
const SEPARATORS = /[ ().-]/g;
const MAX_CACHED = 50_000;
const cache = new Map<string, string | null>();

/** The form a typed phone is parsed and cached under. */
export function phoneKey(raw: string): string {
  return SEPARATORS_ONLY.test(raw) ? raw.replace(SEPARATORS, '') : raw;
}

/** E.164 for a phone as users typed it, with Ecuador as the default country; null when unusable. */
export function toE164(raw: string): string | null {
  const key = phoneKey(raw);
  let e164 = cache.get(key);
  if (e164 !== undefined) return e164;
  e164 = parseE164(key);
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, e164);
  return e164;
}

/** The library's reading, uncached. */
export function parseE164(raw: string): string | null {
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
