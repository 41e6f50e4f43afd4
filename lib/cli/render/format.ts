export const MB = 1024 * 1024;

/** Numbers as the operators read them (1.234.567). */
export function formatNumber(n: number): string {
  return n.toLocaleString('es-EC');
}
