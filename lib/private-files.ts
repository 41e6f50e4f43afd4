import { accessSync, chmodSync, constants, existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CopiarError } from './errors.js';

// Reject files, their spools, summary.json and backups hold phones, names and emails:
// only their owner may read them.

export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates the folder (and its parents) for the owner alone; a folder that exists keeps
 * its mode. One level at a time: Node's recursive mkdir spins forever under /proc.
 */
export function makePrivateDir(dir: string): void {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !existsSync(d); d = path.dirname(d)) missing.unshift(d);
  for (const d of missing) mkdirSync(d, { mode: 0o700 });
}

/** A write that failed because the disk (or the quota, or the file-size limit) is full. */
export function isDiskFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG';
}

/**
 * Writes the whole file or leaves the previous one as it was: a full disk must not leave
 * a summary.json cut in the middle.
 */
export function writePrivateFileWhole(file: string, text: string): void {
  const partial = `${file}.${process.pid}.parcial`;
  try {
    writeFileSync(partial, text, { mode: PRIVATE_FILE_MODE });
    renameSync(partial, file);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}

/** Makes sure a file written before (or by another program) is the owner's alone. */
export function makePrivate(file: string): void {
  chmodSync(file, PRIVATE_FILE_MODE);
}

/**
 * The folder for the report or the backup, created if missing and writable, or one
 * sentence saying why not: checked before the first connection, not found out after
 * the target was changed.
 */
export function checkWritableDir(dir: string, what: string): void {
  try {
    makePrivateDir(dir);
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'EEXIST' });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    const why =
      code === 'EEXIST'
        ? 'existe y no es una carpeta'
        : code === 'ENOTDIR'
          ? 'una parte de la ruta es un fichero, no una carpeta'
          : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
          ? 'no hay permiso para escribir en ella'
          : `no se puede crear ni escribir (${code || (error as Error).message})`;
    throw new CopiarError('USO_INVALIDO', `No se puede usar ${dir} como ${what}: ${why}. Elija otra con --${what === 'carpeta del informe' ? 'report-dir' : 'out'}.`);
  }
}
