import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CopiarError } from '../errors.js';
import { PRIVATE_FILE_MODE, checkWritableDir, makePrivate } from '../private-files.js';
import { closeQuietly, connect, type Endpoint } from '../pg/connection.js';
import { tlsUrl } from '../pg/tls.js';
import { requiredSourceColumns } from '../table-spec/source-columns.js';
import type { AnyTableSpec } from '../table-spec/spec.js';

export function pgDumpVersion(): string | null {
  const result = spawnSync('pg_dump', ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : null;
}

/**
 * The guide's "backup de tablas críticas": pg_dump, in custom format (restorable with
 * pg_restore), of every source table the migration reads. The password goes through
 * PGPASSWORD, never on a command line other users can see; TLS is the run's (the same
 * sslmode, and the same root certificate as sslrootcert).
 */
export async function backup(options: { source: Endpoint; catalog: readonly AnyTableSpec[]; outDir: string; now?: Date }): Promise<string> {
  if (pgDumpVersion() === null) {
    throw new CopiarError('PG_DUMP_FALTANTE', 'No se encontró pg_dump: instale el cliente de PostgreSQL (en Debian, el paquete postgresql-client de la misma versión mayor que el servidor) y vuelva a ejecutar.');
  }
  checkWritableDir(options.outDir, 'carpeta del respaldo');
  // The same checks as any session first: reachable, TLS verified, not a transaction pooler.
  await closeQuietly(await connect({ ...options.source, role: 'origen', readOnly: true }));
  const stamp = (options.now ?? new Date()).toISOString().slice(0, 19).replace(/[-:T]/g, '').replace(/^(\d{8})/, '$1_');
  const file = path.join(options.outDir, `backup_tablas_criticas_${stamp}.dump`);
  // pg_dump writes into a file that is already the owner's alone.
  writeFileSync(file, '', { mode: PRIVATE_FILE_MODE });
  const url = tlsUrl(options.source.url, options.source.sslCa, 'origen');
  const password = decodeURIComponent(url.password) || url.searchParams.get('password') || '';
  url.password = '';
  url.searchParams.delete('password');
  const args = ['--format=custom', `--file=${file}`, ...[...requiredSourceColumns(options.catalog).keys()].flatMap((t) => ['--table', t]), `--dbname=${url.toString()}`];
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
    throw new CopiarError('PG_DUMP_FALLIDO', `pg_dump falló: ${message}.${hint}`);
  }
  makePrivate(file);
  return file;
}
