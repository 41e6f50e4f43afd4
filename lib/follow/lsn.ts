/** A WAL position as PostgreSQL writes it (`16/B374D848`), as a number that orders. */
export function lsnValue(lsn: string): bigint {
  const [high, low] = lsn.split('/');
  if (high === undefined || low === undefined || !/^[0-9A-F]+$/i.test(high) || !/^[0-9A-F]+$/i.test(low)) throw new Error(`posición de WAL no válida: ${lsn}`);
  return (BigInt(`0x${high}`) << 32n) | BigInt(`0x${low}`);
}

/** The same position written as PostgreSQL does, without leading zeros. */
export function lsnText(value: bigint): string {
  return `${(value >> 32n).toString(16).toUpperCase()}/${(value & 0xffffffffn).toString(16).toUpperCase()}`;
}

export function lsnAtLeast(lsn: string, than: string): boolean {
  return lsnValue(lsn) >= lsnValue(than);
}
