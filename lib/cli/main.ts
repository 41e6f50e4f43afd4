import { CopiarError } from '../errors.js';
import { scrubSecrets } from '../pg/secrets.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import { loadOrder } from '../table-spec/table-set.js';
import { parseArguments } from './arguments.js';
import { backupCommand } from './commands/backup.js';
import { cutoverCommand } from './commands/cutover.js';
import { followCommand } from './commands/follow.js';
import { migrateCommand } from './commands/migrate.js';
import { planCommand } from './commands/plan.js';
import { rollbackCommand } from './commands/rollback.js';
import { statusCommand } from './commands/status.js';
import { verifyCommand } from './commands/verify.js';
import { CommandContext, type CliIO } from './context.js';
import { jsonError } from './render/json-events.js';

export type { CliIO } from './context.js';

const COMMANDS: Record<string, (context: CommandContext) => Promise<number>> = {
  migrate: (context) => (context.args.follow ? followCommand(context) : migrateCommand(context)),
  cutover: cutoverCommand,
  plan: planCommand,
  verify: verifyCommand,
  rollback: rollbackCommand,
  backup: backupCommand,
  status: statusCommand,
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
