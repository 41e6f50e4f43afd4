import { migrate } from '../../run/migrate.js';
import type { CommandContext } from '../context.js';
import { runFromArguments } from './run-options.js';

export async function migrateCommand(context: CommandContext): Promise<number> {
  const { options, stop } = runFromArguments(context);
  const summary = await migrate(options).finally(stop.release);
  return summary.ok ? 0 : 1;
}
