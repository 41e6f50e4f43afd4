import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project folder, whether this runs from the sources or from dist/. */
export function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('no se encontró package.json sobre ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return dir;
}

/**
 * `node` arguments that run the built CLI as its shebang does (`env -S node <flags>`), so
 * that benchmarks and tests run it with the same Node flags as an installed copiar-tablas.
 */
export function cliNodeArgs(): string[] {
  const bin = path.join(projectRoot(), 'dist/bin/copiar-tablas.js');
  const shebang = readFileSync(bin, 'utf8').split('\n', 1)[0]!;
  const flags = /^#!\/usr\/bin\/env(?: -S)? node(.*)$/.exec(shebang)?.[1]?.trim();
  if (flags === undefined) throw new Error(`${bin}: primera línea inesperada: ${shebang}`);
  return [...(flags === '' ? [] : flags.split(/\s+/)), bin];
}
