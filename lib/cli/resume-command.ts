import path from 'node:path';
import { hasPassword } from '../pg/secrets.js';
import { DEFAULT_RETRIES } from '../run/options.js';
import type { Arguments } from './arguments.js';

const QUOTE = "'";
/** Inside single quotes a quote is written: close, escaped quote, open again. */
const QUOTE_INSIDE_QUOTES = QUOTE + '\\' + QUOTE + QUOTE;

/** A word the shell passes as it is. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : QUOTE + text.replaceAll(QUOTE, QUOTE_INSIDE_QUOTES) + QUOTE;
}

/**
 * The sentence that tells how to go on after a stop or a failure, with a command that
 * works as printed: the run's URLs given as flags are repeated (those from the
 * environment are still there for the next run, as in cron), except a URL that holds a
 * password, which the operator is asked to put in its variable instead of seeing it
 * here. Tables, the report folder and the range size are stored with the run.
 */
export function resumeHint(args: Arguments): string {
  const words = ['npx', 'copiar-tablas', '--resume'];
  const variables: string[] = [];
  for (const [flag, variable] of [['source', 'SOURCE_DATABASE_URL'], ['target', 'TARGET_DATABASE_URL']] as const) {
    const url = args[flag];
    if (url === undefined) continue;
    if (hasPassword(url)) variables.push(variable);
    else words.push(`--${flag}`, shellWord(url));
  }
  for (const flag of ['ssl-ca', 'source-ssl-ca', 'target-ssl-ca'] as const) {
    const file = args[flag];
    if (file !== undefined) words.push(`--${flag}`, shellWord(path.resolve(file)));
  }
  if (args.jobs !== 1) words.push('--jobs', String(args.jobs));
  if (args.retries !== DEFAULT_RETRIES) words.push('--retries', String(args.retries));
  // Checked again on the resume: without it, a table with triggers would refuse it.
  if (args.triggers !== undefined) words.push('--triggers', args.triggers);
  const command = words.join(' ');
  if (variables.length === 0) return `continúe con: ${command}`;
  return `ponga ${variables.length === 1 ? 'la URL con su contraseña en' : 'las URL con sus contraseñas en'} ${variables.join(' y ')} y continúe con: ${command}`;
}
