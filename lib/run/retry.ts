import { isTransient } from '../pg/transient.js';

/**
 * Runs `attempt` until it succeeds, retrying transient failures `retries` times with
 * backoff 1 s, 2 s, 4 s...; a stop or any other failure goes up at once.
 */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  options: { retries: number; signal?: AbortSignal; onRetry: (attempt: number, waitMs: number, error: unknown) => void },
): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (n >= options.retries || options.signal?.aborted || !isTransient(error)) throw error;
      const wait = 1000 * 2 ** n;
      options.onRetry(n + 1, wait, error);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
