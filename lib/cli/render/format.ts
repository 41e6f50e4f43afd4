export const MB = 1024 * 1024;

/** Numbers as the operators read them (1.234.567). */
export function formatNumber(n: number): string {
  return n.toLocaleString('es-EC');
}

/** Said at the start of a run and by plan when both URLs lead to one database. */
export const SAME_DATABASE = 'Origen y destino son la misma base de datos: las tablas nuevas se crean junto a las heredadas, que no se tocan.';
