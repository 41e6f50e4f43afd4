import { execFileSync } from 'node:child_process';
import t from 'tap';
import type { Arguments } from '../lib/cli/arguments.js';
import { resumeHint } from '../lib/cli/resume-command.js';

const args = (given: Partial<Arguments>): Arguments => ({ jobs: 1, retries: 3, _: [], $0: 'copiar-tablas', ...given }) as Arguments;

t.test('the resume hint quotes what the shell would split, and never prints a password', async (t) => {
  const odd = "postgres://lector@viejo/app?options=-c search_path=o'brien";
  const hint = resumeHint(args({ source: odd, target: 'postgres://admin:S3cr3t@nuevo/app?sslmode=require' }));
  t.notMatch(hint, /S3cr3t/);
  t.match(hint, /^ponga la URL con su contraseña en TARGET_DATABASE_URL y continúe con: npx copiar-tablas --resume --source /);
  const words = execFileSync('/bin/sh', ['-c', `printf '%s\\n' ${hint.replace(/^.*continúe con: npx copiar-tablas /, '')}`], { encoding: 'utf8' }).trim().split('\n');
  t.same(words, ['--resume', '--source', odd], 'el shell recibe la URL entera, comillas incluidas');
  t.equal(resumeHint(args({ source: 'postgres://a@h/d?password=x' })), 'ponga la URL con su contraseña en SOURCE_DATABASE_URL y continúe con: npx copiar-tablas --resume');
  t.equal(resumeHint(args({})), 'continúe con: npx copiar-tablas --resume', 'URLs del entorno: nada que repetir');
});
