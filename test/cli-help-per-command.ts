import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { runCli } from './helpers/cli.js';
import { PROJECT_ROOT } from './helpers/database.js';

/** The option flags a help text lists. */
function flags(help: string): string[] {
  return [...help.matchAll(/^\s+(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1]!);
}

t.test('--version prints the package version', async (t) => {
  const r = await runCli(['--version']);
  t.equal(r.code, 0);
  t.equal(r.stdout.trim(), JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')).version);
});

t.test("each command's --help lists only the options that apply to it, with an example", async (t) => {
  const runOnly = ['--resume', '--jobs', '--range-rows', '--max-duration', '--until', '--report-dir', '--retries'];
  for (const [command, must, mustNot] of [
    // The source too: rollback drops the follow mode's slot and publication there.
    ['rollback', ['--yes', '--target', '--source', '--json'], [...runOnly, '--table', '--out', '--follow']],
    ['cutover', ['--source', '--target', '--verify', '--json'], [...runOnly, '--table', '--yes', '--out', '--follow']],
    ['backup', ['--out', '--source', '--json'], [...runOnly, '--target', '--table', '--yes']],
    ['status', ['--target', '--json'], [...runOnly, '--source', '--table']],
    ['verify', ['--source', '--target', '--table', '--quiet'], [...runOnly, '--yes', '--out']],
    ['plan', ['--source', '--target', '--table', '--replace'], [...runOnly, '--yes', '--out']],
  ] as const) {
    const r = await runCli([command, '--help']);
    t.equal(r.code, 0, command);
    const listed = flags(r.stdout);
    t.same(must.filter((f) => !listed.includes(f)), [], `${command} --help lista lo suyo`);
    t.same(mustNot.filter((f) => listed.includes(f)), [], `${command} --help no lista lo de otras órdenes`);
    t.match(r.stdout, new RegExp(`Ejemplos:\\n\\s+npx copiar-tablas ${command}`), `${command}: un ejemplo`);
  }
  const backup = await runCli(['backup', '--help']);
  t.ok(flags(backup.stdout)[0] === '--out', 'backup: lo obligatorio primero');
  t.notMatch(backup.stdout, /tabla de destino/);
});

t.test('an option of another command is refused, pointing at that command’s help', async (t) => {
  const r = await runCli(['rollback', '--jobs', '2']);
  t.equal(r.code, 2);
  t.match(r.stderr, /jobs.*\(vea npx copiar-tablas rollback --help\)/);
});
