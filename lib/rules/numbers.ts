import { reject } from './rejection.js';
import type { Rule } from './types.js';

/** An integer with a CHECK range; NULL takes `nullAs`. */
export function integerInRange(column: string, min: number, max: number, nullAs: number | null): Rule {
  return (value) => {
    if (value === null) return nullAs === null ? null : String(nullAs);
    const n = Number(value);
    if (!(n >= min && n <= max)) reject('fuera_de_rango', `${column}: ${value} fuera de ${min}..${max === Infinity ? '∞' : max}`);
    return value;
  };
}

/** DECIMAL(precision, scale): rounded by PostgreSQL on input; what would overflow is rejected. */
export function decimal(column: string, precision: number, scale: number): Rule {
  const limit = 10 ** (precision - scale);
  return (value) => {
    if (value === null) return null;
    const n = Number(value);
    // Half a unit of the last place can round up past the limit.
    if (!Number.isFinite(n) || Math.abs(n) + 0.5 * 10 ** -scale >= limit) {
      reject('fuera_de_rango', `${column}: ${value} no cabe en DECIMAL(${precision},${scale})`);
    }
    return value;
  };
}

/**
 * One coordinate of a (latitude, longitude) pair. A pair with either value out of range
 * (or not finite) becomes NULL on both sides and the row counts as adjusted.
 */
export function coordinate(axis: 'latitude' | 'longitude', latitudeField: string, longitudeField: string): Rule {
  return (_value, row) => {
    const lat = row.field(latitudeField);
    const lng = row.field(longitudeField);
    if (lat === null && lng === null) return null;
    const latN = lat === null ? 0 : Number(lat);
    const lngN = lng === null ? 0 : Number(lng);
    const valid = Number.isFinite(latN) && Number.isFinite(lngN) && Math.abs(latN) <= 90 && Math.abs(lngN) <= 180;
    if (!valid) {
      // Only the latitude column reports, so the row is counted once.
      if (axis === 'latitude') row.adjust();
      return null;
    }
    // DECIMAL(10,8) / DECIMAL(11,8) round the text to 8 decimals on input, exactly as
    // PostgreSQL rounds numerics, which a JavaScript double could not promise.
    return axis === 'latitude' ? lat : lng;
  };
}
