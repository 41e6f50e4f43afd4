import { setTimeout as sleep } from 'node:timers/promises';
import { CopiarError } from '../errors.js';
import { stopError } from '../load/load-transaction.js';
import { isTransient } from '../pg/transient.js';

/** Waits `ms`, or until the run is stopped, which it then reports as the stop. */
async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleep(ms, undefined, signal ? { signal } : undefined);
  } catch {
    throw stopError(signal);
  }
}

/**
 * Runs `attempt` until it succeeds. Transient failures are retried `retries` times with
 * backoff 1 s, 2 s, 4 s...; a table another session keeps locked is retried every
 * second for as long as it takes, or until the run is stopped; any other failure goes
 * up at once.
 */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  options: { retries: number; signal?: AbortSignal; onRetry: (attempt: number, waitMs: number, error: unknown) => void },
): Promise<T> {
  let transientFailures = 0;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (options.signal?.aborted) throw error;
      const locked = error instanceof CopiarError && error.code === 'TABLA_BLOQUEADA';
      // A connection refused while the server restarts arrives wrapped in CONEXION_FALLIDA.
      const transient = isTransient(error) || isTransient((error as { cause?: unknown } | null)?.cause);
      if (!locked && (transientFailures >= options.retries || !transient)) throw error;
      const wait = locked ? 1000 : 1000 * 2 ** transientFailures++;
      options.onRetry(n, wait, error);
      await pause(wait, options.signal);
    }
  }
}
