import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { cliNodeArgs } from '../dev/paths.js';
import { hasPassword } from '../lib/pg/secrets.js';
import { freshDatabase, PROJECT_ROOT } from './helpers/database.js';
import { generatedLegacyDatabase } from './helpers/generated.js';
import { stopAfterFirstRange } from './helpers/interrupt.js';

/** Runs a printed command in a shell, `npx copiar-tablas` being this checkout's built CLI. */
function runPrinted(command: string, env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const cli = cliNodeArgs().map((a) => `'${a}'`).join(' ');
  const line = command.replace(/^npx copiar-tablas\b/, `'${process.execPath}' ${cli}`);
  return new Promise((resolve) => {
    const env2 = { ...process.env, ...env };
    for (const name of ['DATABASE_URL', 'SOURCE_DATABASE_URL', 'TARGET_DATABASE_URL']) if (!(name in env)) delete env2[name];
    execFile('/bin/sh', ['-c', line], { cwd: PROJECT_ROOT, env: env2 }, (error, _stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }));
  });
}

// The run was given --source and --target: the printed hint must work as printed, with
// no URL in the environment, and without printing a password.
t.test('the resume hint printed after a stop works as printed when the URLs came as flags', async (t) => {
  const source = await generatedLegacyDatabase(t, 12_000);
  const target = await freshDatabase(t);
  const options = ['--table', 'mensajes', '--range-rows', '2000', '--jobs', '2', '--report-dir', mkdtempSync(path.join(tmpdir(), 'pista-'))];
  const stopped = await stopAfterFirstRange({ source, target }, [...options, '--source', source, '--target', target], {});
  t.equal(stopped.code, 1, stopped.stderr);
  const hint = /^(?:\S+Z )?copiar-tablas: .*?; (ponga .*|continúe con: .*)$/m.exec(stopped.stderr)?.[1];
  t.ok(hint, `una línea dice cómo continuar: ${stopped.stderr}`);
  const command = /continúe con: (.*)$/.exec(hint!)![1]!;
  t.match(command, /--jobs 2/, 'repite --jobs');
  const env: Record<string, string> = {};
  for (const [url, variable, flag] of [[source, 'SOURCE_DATABASE_URL', '--source'], [target, 'TARGET_DATABASE_URL', '--target']] as const) {
    if (hasPassword(url)) {
      t.notOk(stopped.stderr.includes(url), `la contraseña de ${variable} no se imprime`);
      t.match(hint!, new RegExp(`ponga .*${variable}`), `pide la URL con contraseña en ${variable}`);
      env[variable] = url;
    } else {
      t.ok(command.includes(`${flag} ${url}`), `repite ${flag}`);
    }
  }
  const resumed = await runPrinted(command, env);
  t.equal(resumed.code, 0, resumed.stderr);
});
