import os from 'node:os';

/** The machine a benchmark ran on, as the README's tables name it. */
export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'cpu desconocida';
  return `${os.cpus().length} × ${cpu}, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}`;
}

export function middle(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const half = sorted.length / 2;
  return sorted.length % 2 === 1 ? sorted[Math.floor(half)]! : (sorted[half - 1]! + sorted[half]!) / 2;
}
