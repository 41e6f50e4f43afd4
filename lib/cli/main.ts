import { CopiarError } from '../errors.js';
import { scrubSecrets } from '../pg/secrets.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import { loadOrder } from '../table-spec/table-set.js';
import { parseArguments } from './arguments.js';
import { CommandContext, type CliIO } from './context.js';
import { jsonError } from './render/json-events.js';

export type { CliIO } from './context.js';

// Each command loads only its own modules: a run of `migrate` never pays for parsing the
// follow mode, verify or cutover (about a fifth of the start-up before the first query).
const COMMANDS: Record<string, (context: CommandContext) => Promise<number>> = {
  migrate: async (context) =>
    context.args.follow ? (await import('./commands/follow.js')).followCommand(context) : (await import('./commands/migrate.js')).migrateCommand(context),
  cutover: async (context) => (await import('./commands/cutover.js')).cutoverCommand(context),
  plan: async (context) => (await import('./commands/plan.js')).planCommand(context),
  verify: async (context) => (await import('./commands/verify.js')).verifyCommand(context),
  rollback: async (context) => (await import('./commands/rollback.js')).rollbackCommand(context),
  backup: async (context) => (await import('./commands/backup.js')).backupCommand(context),
  status: async (context) => (await import('./commands/status.js')).statusCommand(context),
};

/**
 * Runs the CLI over `catalog`, the tables it knows (transforms/), and returns its exit
 * status; never throws. Errors are one sentence on stderr, passwords scrubbed.
 */
export async function main(io: CliIO, catalog: readonly AnyTableSpec[]): Promise<number> {
  let context: CommandContext | undefined;
  try {
    const parsed = await parseArguments(io.argv, loadOrder(catalog).map((t) => t.target));
    if ('help' in parsed) {
      io.stdout.write(parsed.help + '\n');
      return 0;
    }
    context = new CommandContext(parsed.args, io, catalog);
    return await COMMANDS[String(parsed.args._[0] ?? 'migrate')]!(context);
  } catch (error) {
    const secrets = context?.secrets ?? [io.env.DATABASE_URL, io.env.SOURCE_DATABASE_URL, io.env.TARGET_DATABASE_URL];
    const debug = context?.args.debug ?? io.argv.includes('--debug');
    const message = scrubSecrets(error instanceof Error ? error.message : String(error), secrets);
    io.stderr.write(`copiar-tablas: ${message}\n`);
    if (context?.args.json ?? io.argv.includes('--json')) io.stdout.write(JSON.stringify(jsonError(error instanceof CopiarError ? error.code : 'ERROR_INTERNO', message)) + '\n');
    if (debug && error instanceof Error && error.stack) io.stderr.write(scrubSecrets(error.stack, secrets) + '\n');
    return error instanceof CopiarError ? error.exitCode : 1;
  }
}
