import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { CopiarError } from './errors.js';

/** The guide's "backup de tablas críticas" of the source. */
export const CRITICAL_TABLES = ['users', 'customers', 'professions', 'provider_professions', 'provider_services', 'service_requests', 'messages', 'sessions', 'task_queue'];

export function pgDumpVersion(): string | null {
  const result = spawnSync('pg_dump', ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : null;
}

/**
 * pg_dump of the critical source tables in custom format (restorable with pg_restore).
 * The password goes through PGPASSWORD, never on a command line other users can see.
 */
export async function backup(options: { sourceUrl: string; outDir: string; now?: Date }): Promise<string> {
  if (pgDumpVersion() === null) {
    throw new CopiarError('USO_INVALIDO', 'No se encontró pg_dump: instale el cliente de PostgreSQL (en Debian, el paquete postgresql-client de la misma versión mayor que el servidor) y vuelva a ejecutar.');
  }
  mkdirSync(options.outDir, { recursive: true });
  const stamp = (options.now ?? new Date()).toISOString().slice(0, 19).replace(/[-:T]/g, '').replace(/^(\d{8})/, '$1_');
  const file = path.join(options.outDir, `backup_tablas_criticas_${stamp}.dump`);
  const url = new URL(options.sourceUrl);
  const password = decodeURIComponent(url.password);
  url.password = '';
  const args = ['--format=custom', `--file=${file}`, ...CRITICAL_TABLES.flatMap((t) => ['--table', t]), `--dbname=${url.toString()}`];
  const stderr: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn('pg_dump', args, { env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) }, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (d: Buffer) => stderr.push(d.toString()));
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) {
    const output = stderr.join('');
    const message = output
      .trim()
      .split('\n')
      .map((line) => line.replace(/^pg_dump:\s*/, '').trim())
      .filter(Boolean)
      .join('; ');
    const hint = /version mismatch/i.test(output) ? ' Instale un pg_dump de la misma versión mayor que el servidor de origen (o más nuevo).' : '';
    throw new CopiarError('TABLA_FALLIDA', `pg_dump falló: ${message}.${hint}`, { exitCode: 1 });
  }
  return file;
}
