import type { CopyCounts } from '../engine/counts.js';
import { sumCounts } from '../engine/counts.js';
import type { TableTransform } from '../engine/table-transform.js';

export interface TableProgress extends CopyCounts {
  table: string;
}

export interface ProgressOptions {
  onProgress?: (progress: TableProgress) => void;
  intervalMs?: number;
}

/**
 * A table's progress every `intervalMs`: what is committed (`committed()`) plus what the
 * copies in flight have read so far.
 */
export class ProgressReporter {
  private readonly live = new Set<TableTransform>();

  constructor(
    private readonly table: string,
    private readonly options: ProgressOptions,
    private readonly committed: () => CopyCounts,
  ) {}

  /** For copyRows: the transform counts while it runs. */
  readonly watch = (transform: TableTransform): (() => void) => {
    this.live.add(transform);
    return () => void this.live.delete(transform);
  };

  private report(): void {
    if (this.options.onProgress === undefined) return;
    const inFlight = [...this.live].map((t) => ({ ...t.counters, bytes: t.bytesRead }));
    this.options.onProgress({ table: this.table, ...sumCounts([this.committed(), ...inFlight]) });
  }

  /** Reports while `fn` runs, and once more with the totals when it succeeds. */
  async during<T>(fn: () => Promise<T>): Promise<T> {
    const timer = setInterval(() => this.report(), this.options.intervalMs ?? 1000);
    try {
      const result = await fn();
      // The last event carries the totals; after a failure there are none to report.
      this.report();
      return result;
    } finally {
      clearInterval(timer);
    }
  }
}
