import { generateLegacy } from '../../benchmarks/generate.js';
import { freshDatabase, withClient } from './database.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

/** A fresh database with a generated dirty legacy dataset of `messages` rows, analyzed. */
export async function generatedLegacyDatabase(t: Teardown, messages: number): Promise<string> {
  const url = await freshDatabase(t, 'gen');
  await generateLegacy(url, { messages });
  await withClient(url, (c) => c.query('ANALYZE'));
  return url;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000, everyMs = 5): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`no ocurrió a tiempo: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
