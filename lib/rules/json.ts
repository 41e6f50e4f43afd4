import { jsonrepair } from 'jsonrepair';
import { reject } from './rejection.js';
import type { FastRule } from './types.js';

export type JsonShape = 'object' | 'array';

const DEFAULTS: Record<JsonShape, string> = { object: '{}', array: '[]' };

// JSONB refuses the NUL escape that JSON.parse accepts; such text is treated as broken.
function parses(text: string): unknown {
  if (text.includes('\\u0000')) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isShape(value: unknown, shape: JsonShape): boolean {
  return shape === 'array' ? Array.isArray(value) : value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Wraps a JSON text that is not of the column's shape; keeps the text as written (no number rounding). */
function shaped(text: string, value: unknown, shape: JsonShape): string {
  if (isShape(value, shape)) return text;
  return shape === 'object' ? `{"valor": ${text}}` : `[${text}]`;
}

/**
 * JSON kept as text: valid JSON is kept, broken JSON is repaired, plain words become
 * `{"texto": t}` (object columns) or a list of their comma-separated parts (array
 * columns). Repairs and fallbacks mark the row adjusted.
 */
export function json(column: string, shape: JsonShape, options: { sourceIsJsonb?: boolean } = {}): FastRule {
  const rule: FastRule = (value, row) => {
    const text = value?.trim() ?? '';
    if (text === '') return DEFAULTS[shape];
    const parsed = parses(text);
    if (parsed !== undefined) return shaped(text, parsed, shape);
    row.adjust();
    const first = text[0];
    if (first === '{' || first === '[' || first === '"') {
      let repaired: string | undefined;
      try {
        repaired = jsonrepair(text);
      } catch {
        repaired = undefined;
      }
      const repairedValue = repaired === undefined ? undefined : parses(repaired);
      if (repaired !== undefined && repairedValue !== undefined) return shaped(repaired, repairedValue, shape);
      if (shape === 'array') reject('json_invalido', `${column}: ${JSON.stringify(text.slice(0, 200))}`);
      return JSON.stringify({ texto: text });
    }
    if (shape === 'object') return JSON.stringify({ texto: text });
    return JSON.stringify(text.split(',').map((part) => part.trim()));
  };
  rule.valueOnly = true;
  // JSONB text output is valid JSON already: an object (or array) of the right shape
  // can be copied without parsing it.
  if (options.sourceIsJsonb) {
    const opening = shape === 'object' ? 0x7b : 0x5b;
    rule.keepsRaw = (buf, start, end) => end > start && buf[start] === opening;
    rule.keepsValue = rule.keepsRaw;
  }
  return rule;
}
