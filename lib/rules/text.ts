import { reject } from './rejection.js';
import { BACKSLASH, isNullField } from '../pg/copy-text.js';
import type { FastRule, Rule } from './types.js';

/** Length as PostgreSQL's VARCHAR counts it: characters (code points), not UTF-16 units. */
export function charLength(value: string): number {
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

export function checkLength(column: string, value: string, max: number | undefined): string {
  if (max !== undefined && value.length > max && charLength(value) > max) {
    reject('demasiado_largo', `${column}: ${charLength(value)} caracteres, máximo ${max}`);
  }
  return value;
}

export interface ShortTextOptions {
  /** The target column, named in reject details. */
  column: string;
  /** VARCHAR length of the target column. */
  max?: number;
  /** Collapse runs of whitespace inside (names and cities). */
  collapse?: boolean;
  /** Reason code when the value is missing; absent means the column is optional. */
  required?: string;
}

export function normalizeShortText(value: string | null, collapse = false): string | null {
  if (value === null) return null;
  let text = value.trim();
  if (collapse) text = text.replace(/\s+/g, ' ');
  return text === '' ? null : text;
}

function isAsciiSpace(byte: number | undefined): boolean {
  return byte === 0x20 || (byte !== undefined && byte >= 0x09 && byte <= 0x0d);
}

/**
 * True when trimming cannot change the raw field and it fits `max` even counted in
 * bytes: ASCII non-space at both ends, no escapes, not empty; or NULL.
 */
function alreadyTrimmed(max: number | undefined) {
  const trimmed = trimmedValue(max);
  return (buf: Buffer, start: number, end: number): boolean => {
    // An optional NULL stays NULL.
    if (isNullField(buf, start, end)) return true;
    if (!trimmed(buf, start, end)) return false;
    const escape = buf.indexOf(BACKSLASH, start);
    return escape < 0 || escape >= end;
  };
}

/** The same for a value's own bytes (COPY binary): no escapes to look for. */
function trimmedValue(max: number | undefined) {
  return (buf: Buffer, start: number, end: number): boolean => {
    if (end <= start || (max !== undefined && end - start > max)) return false;
    const first = buf[start]!;
    const last = buf[end - 1]!;
    return !(first >= 0x80 || last >= 0x80 || isAsciiSpace(first) || isAsciiSpace(last));
  };
}

/** Short text (names, cities, titles, urls): trimmed, '' is NULL, never truncated. */
export function shortText(options: ShortTextOptions): FastRule {
  const rule: FastRule = (value) => {
    const text = normalizeShortText(value, options.collapse);
    if (text === null) {
      if (options.required) reject(options.required, `${options.column} vacío`);
      return null;
    }
    return checkLength(options.column, text, options.max);
  };
  rule.valueOnly = true;
  // Collapsing looks inside the value; only trimming can be decided from the ends.
  if (!options.collapse && !options.required) {
    rule.keepsRaw = alreadyTrimmed(options.max);
    rule.keepsValue = trimmedValue(options.max);
  }
  return rule;
}

/** Free text is copied byte for byte; `nullAs` replaces NULL and marks the row adjusted. */
export function freeText(options: { nullAs?: string } = {}): FastRule {
  const rule: FastRule = (value, row) => {
    if (value === null && options.nullAs !== undefined) {
      row.adjust();
      return options.nullAs;
    }
    return value;
  };
  rule.keepsRaw = (buf, start, end) => !isNullField(buf, start, end);
  rule.keepsValue = () => true;
  rule.valueOnly = true;
  return rule;
}

/** A fixed value, whatever the source holds. */
export function constant(value: string | null): Rule {
  return () => value;
}

/** `value` if the source holds one, else the first of the other fields that does. */
export function firstPresent(column: string, otherFields: string[], options: ShortTextOptions): Rule {
  const base = shortText({ ...options, required: undefined });
  return (value, row) => {
    let result = base(value, row);
    for (const name of otherFields) {
      if (result !== null) break;
      result = base(row.field(name), row);
    }
    if (result === null && options.required) reject(options.required, `${column} vacío`);
    return result;
  };
}
