import { reject } from './rejection.js';
import type { Rule } from './types.js';

/**
 * An enumeration: target value -> the words accepted for it (the target word itself is
 * always accepted). Matching is trimmed and case-insensitive. NULL or '' takes
 * `defaultValue`; with no default, a missing value is `valor_invalido` too.
 */
export function enumeration(column: string, accepted: Record<string, readonly string[]>, defaultValue?: string): Rule {
  const lookup = new Map<string, string>();
  for (const [target, words] of Object.entries(accepted)) {
    lookup.set(target.toLowerCase(), target);
    for (const word of words) lookup.set(word.toLowerCase(), target);
  }
  return (value) => {
    const key = value === null ? '' : value.trim().toLowerCase();
    if (key === '') {
      if (defaultValue !== undefined) return defaultValue;
      reject('valor_invalido', `${column}: vacío y sin valor por defecto`);
    }
    const target = lookup.get(key);
    if (target === undefined) reject('valor_invalido', `${column}: ${JSON.stringify(value)}`);
    return target;
  };
}

/** NULL takes the default; anything else is copied as COPY gave it (t or f). */
export function booleanOr(defaultValue: boolean): Rule {
  const fallback = defaultValue ? 't' : 'f';
  return (value) => (value === null ? fallback : value);
}
