import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The version in copiar-tablas' package.json, found from wherever this file runs (sources or dist/). */
export function toolVersion(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'copiar-tablas') return pkg.version ?? 'desconocida';
    }
    if (path.dirname(dir) === dir) return 'desconocida';
  }
}
