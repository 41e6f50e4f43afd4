import type { CopyCounts } from '../engine/counts.js';
import { sumCounts } from '../engine/counts.js';
import type { TableTransform } from '../engine/table-transform.js';

/** What a table is doing: streaming rows, rebuilding keys and indexes, or ANALYZE. */
export type LoadPhase = 'copy' | 'indexes' | 'analyze';

/** n of total: committed ranges of a table in ranges, or key and index statements done. */
export interface Step {
  done: number;
  total: number;
}

export interface TableProgress extends CopyCounts {
  table: string;
  phase: LoadPhase;
  /** A table in ranges: the ranges committed so far, of all. */
  ranges?: Step;
  /** The indexes phase: statements done, of all. */
  step?: Step;
}

export interface ProgressOptions {
  onProgress?: (progress: TableProgress) => void;
  intervalMs?: number;
}

/**
 * A table's progress every `intervalMs` while it copies: what is committed
 * (`committed()`) plus what the copies in flight have read so far; then one event per
 * step of what follows the copy, which can take a third of the table's time.
 */
export class ProgressReporter {
  private readonly live = new Set<TableTransform>();

  constructor(
    private readonly table: string,
    private readonly options: ProgressOptions,
    private readonly committed: () => CopyCounts,
    private readonly ranges?: () => Step,
  ) {}

  /** For copyRows: the transform counts while it runs. */
  readonly watch = (transform: TableTransform): (() => void) => {
    this.live.add(transform);
    return () => void this.live.delete(transform);
  };

  /**
   * A watch whose copies stay counted in flight until `settle()`, not only until their COPY
   * ends: between the end of a range's COPY and its commit (spool closed, checkpoint,
   * COMMIT) its rows were neither in flight nor committed, and the count went back ("tramo
   * 1/2, 0/5.000.000 filas" at 5M). Settle right after they count as committed, or on failure.
   */
  held(): { watch: (transform: TableTransform) => () => void; settle: () => void } {
    const unwatches: (() => void)[] = [];
    return {
      watch: (transform) => {
        unwatches.push(this.watch(transform));
        return () => undefined;
      },
      settle: () => {
        for (const unwatch of unwatches.splice(0)) unwatch();
      },
    };
  }

  private report(phase: LoadPhase, step?: Step): void {
    if (this.options.onProgress === undefined) return;
    const inFlight = [...this.live].map((t) => ({ ...t.counters, bytes: t.bytesRead }));
    const ranges = this.ranges?.();
    this.options.onProgress({ table: this.table, phase, ...sumCounts([this.committed(), ...inFlight]), ...(ranges ? { ranges } : {}), ...(step ? { step } : {}) });
  }

  /** Reports while `fn` copies, and once more with the totals when it succeeds. */
  async during<T>(fn: () => Promise<T>): Promise<T> {
    const timer = setInterval(() => this.report('copy'), this.options.intervalMs ?? 1000);
    try {
      const result = await fn();
      // The last event carries the totals; after a failure there are none to report.
      this.report('copy');
      return result;
    } finally {
      clearInterval(timer);
    }
  }

  /** One step of the keys and indexes, as it starts. */
  readonly indexStep = (done: number, total: number): void => this.report('indexes', { done, total });
}
