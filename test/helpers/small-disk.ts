import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface SmallDisk {
  dir: string;
  /** Frees the space taken by the filler, as an operator who cleaned the disk. */
  makeRoom(): void;
}

function mountTmpfs(dir: string): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m,mode=0700', 'tmpfs', dir], { stdio: 'pipe' });
}

/** Why no small disk can be made here (mounting needs root; CI runs as root), or null. */
export const smallDiskMissing: string | null = (() => {
  const dir = mkdtempSync(path.join(tmpdir(), 'disco-prueba-'));
  try {
    mountTmpfs(dir);
    execFileSync('umount', [dir]);
    return null;
  } catch (error) {
    return `no se puede montar un tmpfs pequeño (hace falta root): ${String((error as { stderr?: Buffer }).stderr ?? error).trim()}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})();

/** A real file system that fills up: an 8 MB tmpfs with a filler file that leaves about `freeBytes` free. */
export function smallDisk(t: Teardown, freeBytes: number): SmallDisk {
  const dir = mkdtempSync(path.join(tmpdir(), 'disco-pequeno-'));
  mountTmpfs(dir);
  t.teardown(() => {
    execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  const filler = path.join(dir, 'relleno');
  const stats = statfsSync(dir);
  writeFileSync(filler, Buffer.alloc(Math.max(0, stats.bavail * stats.bsize - freeBytes)));
  return { dir, makeRoom: () => rmSync(filler) };
}
